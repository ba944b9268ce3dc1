import Foundation
import GatewayKit
import Logging
import Storage
import ThingsBoard

/// Remote configuration through the gateway device's attributes (reference §1.9), when
/// `thingsboard.remoteConfiguration` is true.
///
/// On every new session it publishes the current configuration as client attributes (`Version`,
/// `active_connectors`, `general_configuration`, `storage_configuration`, and one attribute per
/// connector named after it) and asks for the shared keys that carry changes. A shared attribute
/// named after a connector (`{"name","type","configuration","configurationJson",...}`) creates or
/// updates that connector: the new configuration is checked first, the file rewritten with a
/// backup, and only that connector restarts; `active_connectors` stops the connectors it does not
/// list. A refused change leaves everything running as it was and is reported back as the client
/// attribute `<key>_error`; an applied one is echoed back under its key.
struct RemoteConfigurator: Sendable {
    let enabled: Bool
    let mainFile: String
    let files: ConfigurationFiles
    let environment: [String: String]
    let thingsboardSection: JSONValue
    let storageSection: JSONValue
    let connectors: ConnectorManager
    let client: ThingsBoardClient
    let control: GatewayControl
    let logger: Logger

    /// Keys that are not connector configurations.
    static let serviceKeys: Set<String> = ["RemoteLoggingLevel", "general_configuration", "storage_configuration",
                                           "grpc_configuration", "logs_configuration", "active_connectors"]

    /// Publishes the configuration and asks for pending changes after every (re)connect.
    func run() async {
        guard enabled else { return }
        await client.onEverySession {
            await publishCurrent()
            await fetchPending()
        }
    }

    // MARK: publishing

    func publishCurrent() async {
        // The first session can start before every connector of the configuration runs; published
        // then, `active_connectors` would leave the late ones out (and ThingsBoard would stop them).
        await connectors.initialConnectorsStarted(within: .seconds(15))
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let commands = files.read(RemoteConfigurationFormat.statisticsCommandsFile(thingsboardSection))
        var attributes: JSONObject = [
            "general_configuration": Self.stamped(RemoteConfigurationFormat.generalConfiguration(thingsboardSection, commands: commands), now),
            "storage_configuration": Self.stamped(storageSection, now),
            "grpc_configuration": Self.stamped(files.read(mainFile)?["grpc"] ?? .object([:]), now),
            "logs_configuration": Self.stamped(files.read("logs.json") ?? .object([:]), now),
            "active_connectors": .array(connectors.running.map { .string($0.entry.name) }),
            "Version": .string(GatewayVersion.reportedToThingsBoard),
            "implementation": .string(GatewayVersion.implementation),
        ]
        for slot in connectors.running {
            // Read back from its file: the running connector does not keep its parsed document.
            attributes[slot.entry.name] = RemoteConfigurationFormat.connectorAttribute(
                slot.entry, document: files.read(slot.entry.file), ts: now)
        }
        await publish(attributes)
    }

    static func stamped(_ value: JSONValue, _ ts: Int64) -> JSONValue {
        guard case .object(var object) = value else { return value }
        object["ts"] = .int(ts)
        return .object(object)
    }

    private func publish(_ attributes: JSONObject) async {
        let message = GatewayMessage(topic: GatewayTopics.deviceAttributes, payload: JSONValue.object(attributes).jsonBytes,
                                     kind: .other, forDevices: false)
        do {
            try await client.publish(message)
        } catch {
            logger.warning("remote configuration attributes not published: \(error)")
        }
    }

    /// Asks for the service keys, then for the shared attribute of every active connector.
    private func fetchPending() async {
        guard let reply = await client.requestOwnAttributes(sharedKeys: Array(Self.serviceKeys).sorted()),
              case .object(let shared)? = reply["shared"] else { return }
        await apply(shared)
        guard let names = shared["active_connectors"]?.arrayValue?.compactMap(\.stringValue), !names.isEmpty,
              let perConnector = await client.requestOwnAttributes(sharedKeys: names),
              case .object(let configurations)? = perConnector["shared"] else { return }
        await apply(configurations)
    }

    // MARK: applying

    /// Applies a shared-attribute update of the gateway device.
    func apply(_ update: JSONObject) async {
        // Remote logging works whether or not remote configuration is on, as in the reference.
        if let value = update["RemoteLoggingLevel"] { await applyRemoteLoggingLevel(value) }
        guard enabled else { return }
        for (key, value) in update {
            switch key {
            case "active_connectors":
                await applyActiveConnectors(value, key: key)
            case "RemoteLoggingLevel":
                continue
            case "general_configuration":
                await applyGeneralConfiguration(value, key: key)
            case "storage_configuration":
                await applySection("storage", value, key: key, current: storageSection) { section throws in
                    _ = try StorageConfiguration(json: section, file: mainFile)
                    return section
                }
            case "logs_configuration":
                await applyLogsConfiguration(value, key: key)
            case "grpc_configuration":
                await refuse(key, "changing \(key) remotely is not supported by this gateway yet; edit the file and restart")
            default:
                guard case .object(let description) = value, description["configurationJson"] != nil else { continue }
                await applyConnector(key: key, description: description)
            }
        }
    }

    /// `RemoteLoggingLevel`: the level of the logs streamed to ThingsBoard as telemetry; echoed
    /// back as a client attribute when remote configuration is on, as the reference does.
    private func applyRemoteLoggingLevel(_ value: JSONValue) async {
        let key = "RemoteLoggingLevel"
        guard let text = value.stringValue, let level = RemoteLogSink.parseLevel(text) else {
            let reason = "expected NONE, CRITICAL, ERROR, WARNING, INFO, DEBUG or TRACE"
            if enabled {
                await refuse(key, reason)
            } else {
                logger.error("remote logging level refused", metadata: ["reason": "\(reason)"])
            }
            return
        }
        RemoteLogSink.shared.remoteLevel = level
        logger.info("remote logging level set", metadata: ["level": "\(text.uppercased())"])
        if enabled { await publish([key: value]) }
    }

    private func applyActiveConnectors(_ value: JSONValue, key: String) async {
        guard let names = value.arrayValue?.compactMap(\.stringValue) else {
            await refuse(key, "expected a list of connector names")
            return
        }
        let keep = Set(names)
        let removed = connectors.running.map(\.entry.name).filter { !keep.contains($0) }
        guard !removed.isEmpty else { return }
        do {
            try files.updateConnectorList(mainFile: mainFile) { list in
                list.removeAll { entry in entry["name"]?.stringValue.map { !keep.contains($0) } ?? false }
            }
        } catch {
            await refuse(key, "\(error)")
            return
        }
        logger.info("remote configuration: connectors no longer active", metadata: ["stopped": "\(removed)"])
        await reload()
        await publish([key: value])
    }

    private func applyConnector(key: String, description: JSONObject) async {
        let name = description["name"]?.stringValue ?? key
        guard let type = description["type"]?.stringValue, !type.isEmpty,
              case .object(let body)? = description["configurationJson"] else {
            await refuse(key, "expected {\"name\", \"type\", \"configuration\", \"configurationJson\": {...}}")
            return
        }
        let running = connectors.running.first { $0.entry.name == name }
        let file = description["configuration"]?.stringValue ?? running?.entry.file
            ?? ConfigurationFiles.defaultFileName(forConnector: name)
        // The reference skips an update no newer than the file while the connector runs.
        if let ts = description["ts"]?.intValue, running != nil, let modified = files.modifiedMilliseconds(file), ts <= modified {
            return
        }
        let id = body["id"]?.stringValue ?? description["id"]?.stringValue ?? running?.entry.id
            ?? GatewayConfiguration.stableIdentifier(for: name)
        // ThingsBoard's pages send logLevel, reportStrategy, ... beside the document; the file has them inside.
        let document = JSONValue.object(RemoteConfigurationFormat.connectorDocument(from: description, body: body, name: name, id: id))
        if let running, running.runs(type: type, document: document) { return }
        let proposed = ConnectorEntry(name: name, type: type, id: id, file: file, document: document, error: nil)
        if let problem = connectors.check(proposed) {
            await refuse(key, problem)
            return
        }
        do {
            try files.write(document, to: file)
            if running == nil {
                try files.updateConnectorList(mainFile: mainFile) { list in
                    list.removeAll { $0["name"]?.stringValue == name }
                    list.append(["type": .string(type), "name": .string(name), "configuration": .string(file)])
                }
            }
        } catch {
            await refuse(key, "\(error)")
            return
        }
        logger.info("remote configuration: connector \(running == nil ? "added" : "updated")",
                    metadata: ["connector": "\(name)", "file": "\(file)"])
        await reload()
        await publish([key: RemoteConfigurationFormat.connectorAttribute(proposed, document: document,
                                                                         ts: Int64(Date().timeIntervalSince1970 * 1000))])
    }

    /// `general_configuration`: as the storage section below, compared as published (credentials
    /// and statistics defaults aside: the published copy has no credentials, so the configured
    /// ones are kept unless new ones came). Statistics `commands` go to their own file, as the
    /// reference writes them; changed commands alone also restart the gateway to apply them.
    private func applyGeneralConfiguration(_ value: JSONValue, key: String) async {
        guard case .object(let proposed) = value else {
            await refuse(key, "expected an object")
            return
        }
        var (section, commands) = RemoteConfigurationFormat.splitGeneralConfiguration(proposed)
        if section["security"] == nil, let security = thingsboardSection["security"] { section["security"] = security }
        let commandsFile = RemoteConfigurationFormat.statisticsCommandsFile(.object(section))
        // As the reference: an empty list leaves the file alone.
        let newCommands = commands.flatMap { $0.isEmpty ? nil : JSONValue.array($0) }
        let commandsChanged = newCommands.map { !(files.read(commandsFile)?.isEquivalent(to: $0) ?? false) } ?? false
        let published = { (section: JSONValue) in RemoteConfigurationFormat.generalConfiguration(section, commands: nil) }
        if published(.object(section)).isEquivalent(to: published(thingsboardSection)) {
            guard commandsChanged, let newCommands else { return }
            await writeAndRestart(newCommands, to: commandsFile, key: key, echo: value, what: "the statistics commands")
            return
        }
        await applySection("thingsboard", .object(section), key: key, current: thingsboardSection, echo: value) { section throws in
            _ = try ThingsBoardSettings(json: section, file: mainFile, directory: files.directory)
            if commandsChanged, let newCommands { try files.write(newCommands, to: commandsFile) }
            return section
        }
    }

    /// `general_configuration` / `storage_configuration`: a section equal to the running one (its
    /// `ts` aside) changes nothing — storage in particular is not rebuilt; a different one is
    /// validated, written to the main file after a backup, echoed back, and the gateway restarts
    /// gracefully to apply it (file and sqlite storage keep their buffered events across it). A
    /// refused one leaves everything as it was.
    private func applySection(_ name: String, _ value: JSONValue, key: String, current: JSONValue, echo: JSONValue? = nil,
                              validate: (JSONValue) throws -> JSONValue) async {
        guard case .object(var proposed) = value else {
            await refuse(key, "expected an object")
            return
        }
        proposed["ts"] = nil
        let section: JSONValue
        do {
            section = try validate(.object(proposed))
        } catch {
            await refuse(key, "\(error)")
            return
        }
        if section.isEquivalent(to: current) { return }
        guard case .object(var root)? = files.read(mainFile) else {
            await refuse(key, "\(ConfigError(file: mainFile, keyPath: "", expected: "a readable JSON object to update"))")
            return
        }
        root[name] = section
        await writeAndRestart(.object(root), to: mainFile, key: key, echo: echo ?? value, what: "the \(name) section")
    }

    /// `logs_configuration`: the new logs.json (Python logging dictConfig; this gateway reads its
    /// levels), written after a backup and applied by a graceful restart when it changed.
    private func applyLogsConfiguration(_ value: JSONValue, key: String) async {
        guard case .object(var proposed) = value else {
            await refuse(key, "expected the logs.json object")
            return
        }
        proposed["ts"] = nil
        if let current = files.read("logs.json"), JSONValue.object(proposed).isEquivalent(to: current) { return }
        await writeAndRestart(.object(proposed), to: "logs.json", key: key, echo: value, what: "logs.json")
    }

    /// Writes a changed file (after a backup), echoes the change back under `key`, and restarts the
    /// gateway gracefully to apply it; a failed write is refused and changes nothing.
    private func writeAndRestart(_ document: JSONValue, to file: String, key: String, echo: JSONValue, what: String) async {
        do {
            try files.write(document, to: file)
        } catch {
            await refuse(key, "\(error)")
            return
        }
        logger.warning("remote configuration changed \(what); restarting the gateway to apply it")
        await publish([key: echo])
        await control.restart()
    }

    /// Reads the directory again and applies it as a diff: only changed connectors restart.
    private func reload() async {
        do {
            let entries = try GatewayConfiguration.load(directory: files.directory, environment: environment).connectors
            await connectors.apply(entries)
        } catch {
            logger.error("remote configuration written but not reloaded: \(error)")
        }
    }

    private func refuse(_ key: String, _ reason: String) async {
        logger.error("remote configuration refused", metadata: ["key": "\(key)", "reason": "\(reason)"])
        await publish(["\(key)_error": .string(reason)])
    }
}
