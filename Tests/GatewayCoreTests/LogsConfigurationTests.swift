import Foundation
@testable import GatewayCore
import GatewayKit
import Logging
import Testing
import TestSupport

/// logs.json as the Python gateway's users have it: the reference's loggers, console and file
/// handlers with its rotation, formats. What is checked is what a user sees: which file a line
/// lands in, what the line looks like, which files rotation leaves.
@Suite(.serialized) struct LogsConfigurationTests {
    /// The reference's logs.json, with tb_connection at WARNING to see a logger's own level.
    static func referenceLogs(folder: String) -> JSONValue {
        let text = referenceLogsJSON(folder: folder).replacingOccurrences(
            of: #""tb_connection": {"handlers": ["tb_connectionHandler", "consoleHandler"], "level": "INFO""#,
            with: #""tb_connection": {"handlers": ["tb_connectionHandler", "consoleHandler"], "level": "WARNING""#)
        return try! JSONValue.parse(Array(text.utf8))
    }

    static func scratchFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("logs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    static func logger(_ label: String, _ routing: LogRouting) -> Logger {
        Logger(label: label) { GatewayLogHandler(label: $0, routing: routing) }
    }

    // MARK: formats

    @Test func theReferenceFormatFillsEveryFieldItNames() throws {
        let format = try PythonLogFormat(
            format: "%(msecs)03d - |%(levelname)s| - [%(filename)s] - %(module)s - %(funcName)s - %(lineno)d - %(name)s - %(message)s",
            dateFormat: nil)
        let record = PythonLogRecord(time: Date(timeIntervalSince1970: 1_700_000_000.042), level: .warning,
                                     loggerName: "service", message: "broker unreachable",
                                     file: "GatewayCore/Uplink.swift", function: "run()", line: 87)
        #expect(format.render(record) == "042 - |WARNING| - [Uplink.swift] - Uplink - run() - 87 - service - broker unreachable")
    }

    @Test func widthsPrecisionAndPercentSignsAreKept() throws {
        let format = try PythonLogFormat(format: "%(levelname)-8s|%(lineno)5d|%(message).3s|100%%|%(name)r", dateFormat: nil)
        let record = PythonLogRecord(time: Date(), level: .info, loggerName: "x", message: "abcdef",
                                     file: "a.swift", function: "f()", line: 42)
        #expect(format.render(record) == "INFO    |   42|abc|100%|'x'")
    }

    @Test func asctimeIsPythonsDefaultOrTheDateFormat() throws {
        let time = Date(timeIntervalSince1970: 1_700_000_000.5)
        let record = PythonLogRecord(time: time, level: .info, loggerName: "x", message: "m", file: "a", function: "f", line: 1)
        let plain = try PythonLogFormat(format: "%(asctime)s", dateFormat: nil).render(record)
        // 2023-11-14 22:13:20 UTC in whatever zone this machine is in: minutes and seconds are the
        // same in every zone with whole-hour offsets (and half-hour ones keep the seconds).
        #expect(plain.wholeMatch(of: /2023-11-1[45] \d\d:\d\d:20,500/) != nil, "\(plain)")
        let dated = try PythonLogFormat(format: "%(asctime)s", dateFormat: "%d/%m/%Y").render(record)
        #expect(dated.wholeMatch(of: /\d\d\/\d\d\/2023/) != nil)
    }

    @Test func anUnknownFieldIsAProblemNamingIt() {
        #expect(throws: PythonLogFormatError(reason: "unknown field %(hostname)")) {
            try PythonLogFormat(format: "%(hostname)s %(message)s", dateFormat: nil)
        }
        var document = Self.referenceLogs(folder: "/tmp/x")
        if case .object(var root) = document, case .object(var formatters)? = root["formatters"] {
            formatters["LogFormatter"] = ["format": "%(hostname)s %(message)s"]
            root["formatters"] = .object(formatters)
            document = .object(root)
        }
        let configuration = LogsConfiguration(document: document, environment: [:])
        #expect(configuration.problems == ["formatter LogFormatter: unknown field %(hostname); the message alone is written"])
        #expect(configuration.handlers["serviceHandler"]?.format == .messageOnly)
    }

    // MARK: handlers and file names

    @Test func theReferenceHandlersAreReadWithTheirRotation() throws {
        let configuration = LogsConfiguration(document: Self.referenceLogs(folder: "./logs"), environment: [:])
        #expect(configuration.problems.isEmpty)
        #expect(configuration.handlers["consoleHandler"]?.destination == .standardOutput)
        let schedule = try LogRotationSchedule(when: "D", interval: 3, utc: false)
        #expect(schedule.period == 3 * 86_400)
        #expect(configuration.handlers["serviceHandler"]?.destination
                == .file(LogFileSettings(path: "./logs/service.log", rotation: .time(schedule, backupCount: 7, maxBytes: 0))))
        #expect(configuration.loggers["tb_connection"]?.level == .warning)
        #expect(configuration.root.level == .error)
    }

    @Test func tbGwLogsPathAndSnakeCaseNamesAsTheReferenceClass() {
        #expect(LogsConfiguration.snakeCase("MQTT Broker Connector_connector") == "mqtt_broker_connector_connector")
        #expect(LogsConfiguration.snakeCase("myModbus-Line 2") == "my_modbus_line_2")
        #expect(LogsConfiguration.snakeCase("__Odd  Name!__") == "odd_name")
        // Python's classes are ASCII; what is not ASCII is dropped code point by code point.
        #expect(LogsConfiguration.snakeCase("aïBus") == "abus")
        #expect(LogsConfiguration.snakeCase("Cafe\u{301} Line") == "cafe_line")
        #expect(LogsConfiguration.referenceFilePath("./logs/MyService.log", logsFolder: nil) == "./logs/my_service.log")
        #expect(LogsConfiguration.referenceFilePath("./logs/service.log", logsFolder: "/var/log/gw") == "/var/log/gw/service.log")
        let relocated = LogsConfiguration(document: Self.referenceLogs(folder: "./logs"), environment: ["TB_GW_LOGS_PATH": "/srv/logs"])
        guard case .file(let settings)? = relocated.handlers["storageHandler"]?.destination else {
            Issue.record("storageHandler is not a file handler"); return
        }
        #expect(settings.path == "/srv/logs/storage.log")
    }

    @Test func aHandlerThisGatewayCannotRunIsLeftOutWithAProblem() {
        let document: JSONValue = [
            "handlers": ["syslog": ["class": "logging.handlers.SysLogHandler", "address": "/dev/log"],
                         "quiet": ["class": "logging.NullHandler"],
                         "noFile": ["class": "logging.FileHandler"]],
            "loggers": ["service": ["handlers": ["syslog", "quiet"], "level": "DEBUG"]],
        ]
        let configuration = LogsConfiguration(document: document, environment: [:])
        #expect(configuration.handlers.isEmpty)
        #expect(Set(configuration.problems) == [
            "handler syslog: class \"logging.handlers.SysLogHandler\" is not supported (console and file handlers are); left out",
            "handler noFile: no \"filename\"; left out",
            "logger service: handler syslog is not defined or was left out",
        ])
        #expect(configuration.loggers["service"]?.level == .debug)
    }

    // MARK: routing

    @Test func eachLoggerWritesItsOwnFileAndTheConsoleAtItsLevel() throws {
        let folder = try Self.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let routing = LogRouting(configuration: LogsConfiguration(document: Self.referenceLogs(folder: folder), environment: [:]),
                                 override: nil)
        #expect(routing.level(forLabel: "service") == .info)
        #expect(routing.level(forLabel: "uplink") == .warning)
        #expect(routing.level(forLabel: "hummingbird") == .error)  // libraries: the root logger
        Self.logger("service", routing).info("gateway starting")
        Self.logger("uplink", routing).info("below tb_connection's WARNING")
        Self.logger("tb_connection", routing).warning("ThingsBoard unreachable")
        Self.logger("storage", routing).debug("below INFO")
        var connectorLogger = Self.logger("connector", routing)
        connectorLogger[metadataKey: "connector"] = "MQTT Broker Connector"
        connectorLogger.info("connected to the broker")
        Self.logger("connector", routing).info("no connector named")
        var converterLogger = Self.logger("converter", routing)
        converterLogger[metadataKey: "connector"] = "MQTT Broker Connector"
        converterLogger.warning("message not converted")

        let service = Self.lines(folder + "/service.log")
        #expect(service.count == 1)
        #expect(service.first?.contains(" - |INFO| - [LogsConfigurationTests.swift] - LogsConfigurationTests - eachLoggerWritesItsOwnFileAndTheConsoleAtItsLevel - ") == true, "\(service)")
        #expect(service.first?.hasSuffix(" - gateway starting") == true)
        #expect(Self.lines(folder + "/tb_connection.log").map { $0.hasSuffix("ThingsBoard unreachable") } == [true])
        #expect(Self.lines(folder + "/storage.log").isEmpty)
        // The reference's file for one connector's logger, beside connector.log.
        let connector = Self.lines(folder + "/mqtt_broker_connector_connector.log")
        #expect(connector.count == 1)
        #expect(connector.first?.hasSuffix(" - connected to the broker") == true, "\(connector)")
        #expect(Self.lines(folder + "/connector.log").map { $0.hasSuffix("no connector named") } == [true])
        // Its converter's file, beside converter.log (the reference's `<name>_converter` logger).
        #expect(Self.lines(folder + "/mqtt_broker_connector_converter.log").map { $0.hasSuffix(" - message not converted") } == [true])
        #expect(Self.lines(folder + "/converter.log").isEmpty)
    }

    @Test func theCommandLineLevelReplacesEveryLoggersLevel() throws {
        let routing = LogRouting(configuration: LogsConfiguration(document: Self.referenceLogs(folder: "/tmp"), environment: [:]),
                                 override: .debug)
        #expect(routing.level(forLabel: "tb_connection") == .debug)
        #expect(routing.level(forLabel: "anything") == .debug)
        #expect(LogRouting.standard(override: nil).level(forLabel: "service") == .info)
    }

    /// `--log-level debug` shows debug records even where logs.json gives the handler a higher
    /// level (the shipped console handler is at INFO); without it the handler's level holds.
    @Test func theCommandLineLevelAlsoLowersHandlerLevels() throws {
        let folder = try Self.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let document = try JSONValue.parse(Array("""
            {"version": 1,
             "handlers": {"file": {"class": "logging.FileHandler", "level": "INFO", "filename": "\(folder)/gw.log"}},
             "loggers": {"service": {"handlers": ["file"], "level": "INFO", "propagate": false}},
             "root": {"level": "INFO", "handlers": []}}
            """.utf8))
        let configuration = LogsConfiguration(document: document, environment: [:])
        var plain = Self.logger("service", LogRouting(configuration: configuration, override: nil))
        plain.logLevel = .debug
        plain.debug("hidden by the handler's INFO")
        let debugging = Self.logger("service", LogRouting(configuration: configuration, override: .debug))
        debugging.debug("shown with --log-level debug")
        #expect(Self.lines(folder + "/gw.log").map { $0.hasSuffix("shown with --log-level debug") } == [true])
    }

    // MARK: rotation

    @Test func rotatingFileHandlerKeepsBackupCountFilesNewestFirst() throws {
        let folder = try Self.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/gw.log"
        let file = LogFile(settings: LogFileSettings(path: path, rotation: .size(maxBytes: 25, backupCount: 2)))
        for index in 1...5 { file.append("line \(index) ----------") }  // 18 bytes each: one per file
        #expect(Self.lines(path) == ["line 5 ----------"])
        #expect(Self.lines(path + ".1") == ["line 4 ----------"])
        #expect(Self.lines(path + ".2") == ["line 3 ----------"])
        #expect(!FileManager.default.fileExists(atPath: path + ".3"))
    }

    @Test func timedRotationNamesArchivesByTheirPeriodAndKeepsBackupCount() throws {
        let folder = try Self.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/service.log"
        let schedule = try LogRotationSchedule(when: "S", interval: 10, utc: true)
        let file = LogFile(settings: LogFileSettings(path: path, rotation: .time(schedule, backupCount: 2, maxBytes: 0)))
        let start = 1_700_000_000.0  // 2023-11-14 22:13:20 UTC
        file.append("first", now: start)        // opens: the period runs to start + 10
        file.append("second", now: start + 11)  // rolls: the archive holds the period that began at start
        file.append("third", now: start + 25)   // rolls (period start + 11 … + 21)
        file.append("fourth", now: start + 36)  // rolls (start + 25 … + 35); the first archive is pruned
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names == ["service.log", "service.log.2023-11-14_22-13-31", "service.log.2023-11-14_22-13-45"])
        #expect(Self.lines(path) == ["fourth"])
        #expect(Self.lines(path + ".2023-11-14_22-13-31") == ["second"])
        #expect(Self.lines(path + ".2023-11-14_22-13-45") == ["third"])
    }

    /// The reference's class, daily, 3 backups, `maxBytes` 20 (one 16-byte record per file), in a
    /// scratch folder: "record n ------" appended at each of `times`. Returns the folder's files.
    static func referenceClassFile(appendingAt times: [Double], in folder: String) throws -> [String] {
        let schedule = try LogRotationSchedule(when: "D", interval: 1, utc: true)
        let file = LogFile(settings: LogFileSettings(path: folder + "/connector.log",
                                                     rotation: .time(schedule, backupCount: 3, maxBytes: 20)))
        for (index, time) in times.enumerated() { file.append("record \(index + 1) ------", now: time) }
        return try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }

    @Test func theReferenceClassWithMaxBytesStampsEachArchiveWithThePreviousRollover() throws {
        let folder = try Self.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let start = 1_700_000_000.0
        let names = try Self.referenceClassFile(appendingAt: (1...6).map { start + Double($0) }, in: folder)
        // As ThingsBoard's class (checked against it): a size rollover starts a new period, so each
        // archive carries the time of the rollover before it; the oldest beyond backupCount are gone.
        #expect(names == ["connector.log", "connector.log.2023-11-14_22-13-23", "connector.log.2023-11-14_22-13-24",
                          "connector.log.2023-11-14_22-13-25"])
        #expect(Self.lines(folder + "/connector.log") == ["record 6 ------"])
        #expect(Self.lines(folder + "/connector.log.2023-11-14_22-13-25") == ["record 5 ------"])
    }

    @Test func rolloversInOneSecondAreNumberedNeverOverwritten() throws {
        let folder = try Self.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Four rollovers in one second.
        let names = try Self.referenceClassFile(appendingAt: Array(repeating: 1_700_000_000, count: 5), in: folder)
        #expect(names == ["connector.log", "connector.log.2023-11-14_22-13-20.1", "connector.log.2023-11-14_22-13-20.2",
                          "connector.log.2023-11-14_22-13-20.3"])
        #expect(Self.lines(folder + "/connector.log.2023-11-14_22-13-20.3") == ["record 4 ------"])
        #expect(Self.lines(folder + "/connector.log.2023-11-14_22-13-20.1") == ["record 2 ------"])
    }

    /// Daylight saving changes in local time (Europe/Berlin, 2023-03-26 and 2023-10-29): each day's
    /// archive carries that day's date and holds that whole day, as in Python.
    @Test func midnightRolloverAcrossDaylightSavingChanges() throws {
        let previous = getenv("TZ").map { String(cString: $0) }
        setenv("TZ", "Europe/Berlin", 1)
        tzset()
        defer {
            if let previous { setenv("TZ", previous, 1) } else { unsetenv("TZ") }
            tzset()
        }
        for (dayBefore, changeDay, dayAfter) in [("2023-10-28", "2023-10-29", "2023-10-30"),
                                                 ("2023-03-25", "2023-03-26", "2023-03-27")] {
            let folder = try Self.scratchFolder()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let path = folder + "/service.log"
            let schedule = try LogRotationSchedule(when: "midnight", interval: 1, utc: false)
            let file = LogFile(settings: LogFileSettings(path: path, rotation: .time(schedule, backupCount: 0, maxBytes: 0)))
            let noonBefore = Self.localTime(dayBefore + " 12:00")
            file.append("day before", now: noonBefore)
            // Every hour of the change day, from its first minute to its last.
            var time = Self.localTime(changeDay + " 00:01")
            let end = Self.localTime(dayAfter + " 00:00")
            var hours = 0
            while time < end {
                file.append("\(changeDay) hour \(hours)", now: time)
                time += 3600
                hours += 1
            }
            file.append("day after", now: end + 60)
            let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
            #expect(names == ["service.log", "service.log." + dayBefore, "service.log." + changeDay])
            #expect(Self.lines(path + "." + changeDay).count == hours, "\(Self.lines(path + "." + changeDay))")
            #expect(Self.lines(path) == ["day after"])
        }
    }

    static func localTime(_ text: String) -> Double {
        let numbers = text.split(whereSeparator: { "- :".contains($0) }).map { Int32($0)! }  // "2023-10-29 00:01"
        var parts = tm()
        parts.tm_year = numbers[0] - 1900
        parts.tm_mon = numbers[1] - 1
        parts.tm_mday = numbers[2]
        parts.tm_hour = numbers[3]
        parts.tm_min = numbers[4]
        parts.tm_isdst = -1
        return Double(mktime(&parts))
    }

    @Test func midnightAndWeekdayRolloversFallOnMidnights() throws {
        let monday = 1_700_438_400.0  // 2023-11-20 00:00 UTC, a Monday
        let midnight = try LogRotationSchedule(when: "midnight", interval: 1, utc: true)
        #expect(midnight.firstRollover(after: monday + 3600) == monday + 86_400)
        // As Python: W0 on a Monday rolls at its next midnight, on a Wednesday at the next Monday's end.
        let weekly = try LogRotationSchedule(when: "W0", interval: 1, utc: true)
        #expect(weekly.firstRollover(after: monday + 3600) == monday + 86_400)
        #expect(weekly.firstRollover(after: monday + 2 * 86_400 + 3600) == monday + 8 * 86_400)
        #expect(throws: PythonLogFormatError.self) { try LogRotationSchedule(when: "W7", interval: 1, utc: true) }
    }
}
