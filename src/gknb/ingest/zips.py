"""What reading a damaged zip raises (zip files, DOCX/OFD packages, zip members): bad data or names, an
unknown version or compression method, encryption. Readers catch ``ZIP_ERRORS`` and report the file
(or member) as unreadable."""

from __future__ import annotations

import lzma
import zipfile
import zlib

# What reading a damaged or unusual archive raises: zipfile's own error, the decompressors' errors, and
# RuntimeError — for an encrypted member, and (as its subclass) for a compression method zipfile lacks.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, OSError, ValueError, EOFError, RuntimeError)
