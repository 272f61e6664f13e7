"""The vocabulary every layer shares: a finding (`violations`), the rule registry (`rules`) and
the user-facing errors that end a command with exit 2 (`errors`)."""
