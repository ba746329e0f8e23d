"""The command line: parses arguments, calls the application layer, picks a reporter."""
