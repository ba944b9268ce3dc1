import Testing
@testable import Expressions

@Suite("Topic expressions")
struct TopicExpressionTests {
    @Test func lookbehindAndLookahead() throws {
        let expression = try TopicExpression("(?<=sensor/)(.*?)(?=/data)")
        #expect(expression.evaluate(topic: "sensor/SN-0042/data") == "SN-0042")
        #expect(expression.evaluate(topic: "other/SN-0042/data") == nil)
    }

    /// The upstream converter test's device name and profile expressions.
    @Test func upstreamNameAndTypeExpressions() throws {
        let topic = "TestDevice/TestDeviceType"
        #expect(try TopicExpression("(.*?)(?=/.*)").evaluate(topic: topic) == "TestDevice")
        #expect(try TopicExpression("(?<=TestDevice/)(.*)").evaluate(topic: topic) == "TestDeviceType")
    }

    @Test func wholeMatchWithoutGroups() throws {
        #expect(try TopicExpression("SN-[0-9]+").evaluate(topic: "site/SN-77/temp") == "SN-77")
    }

    @Test("the last group that took part, like Python's lastindex")
    func lastGroup() throws {
        #expect(try TopicExpression("(site)/(\\w+)/(\\w+)").evaluate(topic: "site/a/b") == "b")
        #expect(try TopicExpression("(a)(x)?").evaluate(topic: "ab") == "a")
        #expect(try TopicExpression("((a)b)").evaluate(topic: "ab") == "ab")
        #expect(try TopicExpression("(a(b))").evaluate(topic: "ab") == "ab")
    }

    @Test func pythonNamedGroups() throws {
        let expression = try TopicExpression("devices/(?P<name>[^/]+)/(?P=name)")
        #expect(expression.evaluate(topic: "devices/x1/x1") == "x1")
        #expect(expression.evaluate(topic: "devices/x1/x2") == nil)
    }

    @Test func invalidRegexIsRefused() {
        #expect(throws: ExpressionError(expression: "(unclosed", reason: "not a valid regular expression")) {
            try TopicExpression("(unclosed")
        }
    }
}
