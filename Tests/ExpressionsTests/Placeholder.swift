import Testing
// Placeholder until the first real test lands; delete it then.
