"""Local fakes of the chat platforms, for end-to-end tests of the adapters with the real client libraries."""
