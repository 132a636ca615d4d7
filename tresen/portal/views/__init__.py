"""The customer portal's pages: thin views over the services and selectors."""
