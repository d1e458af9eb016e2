"""Records extracted from parsed documents: the plain data that rules check."""
