import GatewayKit
import Testing

/// The reserved RPCs' `key=value;` text, split as the reference's connectors split it.
struct ReservedRPCParamsTests {
    @Test func partsWithoutExactlyOneEqualsOrWithEmptySidesAreLeftOut() {
        #expect(ReservedRPCParams.parse("a=1;b=x=y;;c=;=d;e", trimmingKeys: false) == ["a": "1"])
        #expect(ReservedRPCParams.parse("a=1;a=2;", trimmingKeys: false) == ["a": "2"], "a later key wins")
        #expect(ReservedRPCParams.parse("", trimmingKeys: true) == [:])
    }

    @Test func keysAreTrimmedOnlyWhenAsked() {
        #expect(ReservedRPCParams.parse(" address =10.0.0.5; port=50000;value= on ", trimmingKeys: true)
                == ["address": "10.0.0.5", "port": "50000", "value": " on "], "values are kept as sent")
        #expect(ReservedRPCParams.parse(" address =10.0.0.5", trimmingKeys: false) == [" address ": "10.0.0.5"])
        #expect(ReservedRPCParams.parse("  =1", trimmingKeys: true) == [:], "a key of spaces is no key")
    }
}
