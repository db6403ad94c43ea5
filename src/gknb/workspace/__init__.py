"""The workspace: what people do with the store (drafting and 备案: ``workspace.drafts``)."""
