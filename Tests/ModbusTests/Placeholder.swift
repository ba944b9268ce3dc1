// Placeholder until real files land.
