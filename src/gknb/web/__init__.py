"""The review workspace over HTTP: the web app (app.py), its pages and REST API, uploads and security."""
