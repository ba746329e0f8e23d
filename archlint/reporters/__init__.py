"""Reporters turn a report's plain data into text for people or machines."""
