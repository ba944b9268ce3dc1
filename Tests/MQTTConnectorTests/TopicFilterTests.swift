import Testing
@testable import MQTTConnector

@Suite struct TopicFilterTests {
    @Test(arguments: [
        ("sensor/+/data", "sensor/A1/data", true),
        ("sensor/+/data", "sensor/A1/B/data", false),
        ("sensor/+/data", "sensor//data", true),        // + matches an empty level
        ("sensor/+/data", "sensor/A1/data/x", false),
        ("sensor/#", "sensor", true),                    // # includes the parent level
        ("sensor/#", "sensor/a/b/c", true),
        ("sensor/#", "sensors/a", false),
        ("#", "anything/at/all", true),
        ("#", "$SYS/broker/uptime", false),              // $ topics never match a leading wildcard
        ("+/x", "$SYS/x", false),
        ("$SYS/#", "$SYS/broker", true),
        ("data/", "data/", true),
        ("data/", "data", false),
        ("$share/group1/sensor/+/data", "sensor/A1/data", true),
        ("$share/group1/sensor/+/data", "group1/sensor/A1/data", false),
        ("a/b/c", "a/b", false),                         // topic shorter than the filter
        ("a/b", "a/bc", false),                          // a literal is the whole level
        ("a/bc", "a/b", false),
        ("+", "", true),                                 // the empty topic has one (empty) level
        ("+/+", "/", true),
        ("+", "/", false),
        ("a/+/#", "a/x", true),
        ("a/+/#", "a", false),
        ("capteur/é/données", "capteur/é/données", true), // levels compared as UTF-8 bytes
        ("capteur/é/+", "capteur/e/x", false),
    ])
    func matching(filter: String, topic: String, expected: Bool) throws {
        #expect(try MQTTTopicFilter(filter).matches(topic) == expected)
    }

    @Test func sharedSubscriptionKeepsTheFullFilterForSubscribing() throws {
        let filter = try MQTTTopicFilter("$share/g/a/#")
        #expect(filter.filter == "$share/g/a/#")
        #expect(filter.matchFilter == "a/#")
    }

    @Test(arguments: ["", "a/#/b", "a/b#", "a+/b", "$share/g", "$share//a", "$share/g+/a"])
    func invalidFiltersAreRefused(filter: String) {
        #expect(throws: MQTTTopicFilter.Invalid.self) { try MQTTTopicFilter(filter) }
    }
}
