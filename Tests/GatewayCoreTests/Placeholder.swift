import Testing

@Test func GatewayCoreTestsPlaceholder() { #expect(Bool(true)) }
