// Placeholder until the first real file lands; delete it then.
