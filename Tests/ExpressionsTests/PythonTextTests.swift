import Testing
@testable import Expressions
import GatewayKit

@Suite("Python str()/repr of message values")
struct PythonTextTests {
    @Test("float repr", arguments: [
        (21.5, "21.5"), (21.0, "21.0"), (-0.0, "-0.0"), (0.0, "0.0"), (0.1, "0.1"), (1e-4, "0.0001"),
        (1e-5, "1e-05"), (1.5e-7, "1.5e-07"), (1e15, "1000000000000000.0"), (1e16, "1e+16"),
        (1.2345e17, "1.2345e+17"), (123456789.125, "123456789.125"), (1e100, "1e+100"),
        (Double.infinity, "inf"), (-Double.infinity, "-inf"), (Double.nan, "nan"), (5e-324, "5e-324"),
    ])
    func floatRepr(_ testCase: (Double, String)) {
        #expect(PythonText.floatRepr(testCase.0) == testCase.1)
    }

    @Test func containersUsePythonRepr() {
        #expect(PythonText.str(["k": "it's", "q": "say \"hi\"", "n": .null, "t": true, "f": 1.5]) ==
                #"{'k': "it's", 'q': 'say "hi"', 'n': None, 't': True, 'f': 1.5}"#)
        #expect(PythonText.str([1, "a\nb", []]) == #"[1, 'a\nb', []]"#)
        #expect(PythonText.str("plain") == "plain")
        #expect(PythonText.str(.null) == "None")
        #expect(PythonText.str(false) == "False")
    }

    @Test("float() of text", arguments: [
        ("1", 1.0), (" 2.5 ", 2.5), ("-3", -3.0), ("+.5", 0.5), ("5.", 5.0), ("1e3", 1000.0), ("1_0.5", 10.5),
        ("inf", Double.infinity), ("-Infinity", -Double.infinity),
    ] as [(String, Double)])
    func parseFloat(_ testCase: (String, Double)) {
        #expect(PythonText.parseFloat(testCase.0) == testCase.1)
    }

    @Test func parseFloatRefusals() {
        for text in ["", " ", "abc", "0x10", "1__0", "_1", "1_", "1,5", "--1", "e5"] {
            #expect(PythonText.parseFloat(text) == nil, "\(text)")
        }
        #expect(PythonText.parseFloat("nan")?.isNaN == true)
    }
}
