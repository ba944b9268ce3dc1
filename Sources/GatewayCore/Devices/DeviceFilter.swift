import Foundation
import GatewayKit
import Synchronization

/// `thingsboard.deviceFiltering` with its filter file (`list.json`, reference §2):
/// `{"deny": {"<connector>": ["regex", ...]}, "allow": {...}}`. A device whose name fully matches
/// one of its connector's deny patterns is dropped; allow patterns are checked next; anything
/// else is allowed (the reference's default). Each (connector, device) decision is made once.
final class DeviceFilter: Sendable {
    private let deny: [String: [String]]
    private let allow: [String: [String]]
    private let decisions = Mutex<[String: [String: Bool]]>([:])

    init(deny: [String: [String]], allow: [String: [String]]) {
        self.deny = deny
        self.allow = allow
    }

    /// Reads the filter file; an unreadable file is a configuration error.
    convenience init(file: String) throws(ConfigError) {
        let name = (file as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigError(file: name, keyPath: "", expected: "the device filter file", found: "no such file")
        }
        let document: JSONValue
        do { document = try JSONValue.parse(Array(data)) } catch {
            throw ConfigError(file: name, keyPath: "", expected: "valid JSON", found: "\(error)")
        }
        func lists(_ key: String) throws(ConfigError) -> [String: [String]] {
            guard let section = document[key], !section.isNull else { return [:] }
            guard case .object(let object) = section else {
                throw ConfigError(file: name, keyPath: key, expected: "an object of connector name → list of patterns",
                                  found: section.kindName)
            }
            var result: [String: [String]] = [:]
            for (connector, patterns) in object {
                guard let list = patterns.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                    throw ConfigError(file: name, keyPath: "\(key).\(connector)", expected: "a list of regular expressions",
                                      found: patterns.kindName)
                }
                for pattern in list.compactMap(\.stringValue) where (try? Regex(pattern)) == nil {
                    throw ConfigError(file: name, keyPath: "\(key).\(connector)", expected: "valid regular expressions",
                                      found: "\"\(pattern)\"")
                }
                result[connector] = list.compactMap(\.stringValue)
            }
            return result
        }
        self.init(deny: try lists("deny"), allow: try lists("allow"))
    }

    func allows(_ device: String, from connector: String) -> Bool {
        if let known = decisions.withLock({ $0[connector]?[device] }) { return known }
        let decision = decide(device, connector)
        decisions.withLock { $0[connector, default: [:]][device] = decision }
        return decision
    }

    private func decide(_ device: String, _ connector: String) -> Bool {
        func matches(_ patterns: [String]?) -> Bool {
            (patterns ?? []).contains { pattern in
                guard let regex = try? Regex(pattern) else { return false }
                return (try? regex.wholeMatch(in: device)) != nil
            }
        }
        if matches(deny[connector]) { return false }
        if matches(allow[connector]) { return true }
        return true
    }
}
