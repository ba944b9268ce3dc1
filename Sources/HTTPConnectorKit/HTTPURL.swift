/// URL helpers shared by the Request and REST connectors.
public enum HTTPURL {
    /// True for `http://...` and `https://...` (any case).
    public static func isAbsolute(_ url: String) -> Bool {
        let lowered = url.lowercased()
        return lowered.hasPrefix("http://") || lowered.hasPrefix("https://")
    }

    /// The Request connector's `host`: `http://` is added when it has no scheme (as the
    /// reference does); a trailing `/` is dropped so paths join with exactly one.
    public static func normalizedBase(_ host: String) -> String {
        var base = isAbsolute(host) ? host : "http://" + host
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    /// An absolute URL stays as it is; a relative one (`getdata`, `/devices`) is joined to `base`
    /// with one `/`; without a base it is taken as `host:port/path` and gets `http://` (the REST
    /// connector's rule).
    public static func resolve(_ url: String, base: String?) -> String {
        if isAbsolute(url) { return url }
        guard let base else { return "http://" + url }
        let root = normalizedBase(base)
        return url.hasPrefix("/") ? root + url : root + "/" + url
    }

    /// Python's `urllib.parse.quote(text)`: every byte except letters, digits, `_.-~` and `/`
    /// written as `%XX`. The reference quotes device names, attribute keys and values this way
    /// where they go into a URL.
    public static func quote(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"),
                 UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%"
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0x0F)]))
            }
        }
        return out
    }
}
