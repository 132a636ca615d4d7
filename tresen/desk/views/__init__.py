"""The agent workspace's pages and fragments: parse, authorise, call a service, render."""
