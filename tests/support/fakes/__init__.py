"""Local fakes of the chat platforms, served over real HTTP so the real client libraries talk to them."""
