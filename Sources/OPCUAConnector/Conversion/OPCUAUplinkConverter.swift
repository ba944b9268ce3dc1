import GatewayKit
import OPCUA

/// Whether a datapoint is reported as an attribute or as telemetry.
public enum OPCUADatapointSection: String, Sendable, Equatable {
    case attributes, timeseries
}

/// A configured datapoint whose node has been found on the server.
public struct OPCUABoundDatapoint: Sendable, Equatable {
    public var key: String
    public var section: OPCUADatapointSection
    public var node: NodeId
    public var timestampLocation: OPCUATimestampLocation
    public var reportStrategy: ReportStrategy?

    public init(key: String, section: OPCUADatapointSection, node: NodeId,
                timestampLocation: OPCUATimestampLocation = .gateway, reportStrategy: ReportStrategy? = nil) {
        self.key = key
        self.section = section
        self.node = node
        self.timestampLocation = timestampLocation
        self.reportStrategy = reportStrategy
    }
}

/// Builds one device's `ConvertedData` from values read or received for its datapoints, as the
/// reference's `OpcUaUplinkConverter` does: telemetry stamped with the gateway's receive time
/// or the value's source / server timestamp (`timestampLocation`), attributes without a time.
public struct OPCUAUplinkConverter: Sendable {
    public var deviceName: String
    public var deviceType: String
    public var reportStrategy: ReportStrategy?

    public init(deviceName: String, deviceType: String, reportStrategy: ReportStrategy? = nil) {
        self.deviceName = deviceName
        self.deviceType = deviceType
        self.reportStrategy = reportStrategy
    }

    /// One value for one datapoint; `receivedAt` is the gateway's time of the read or
    /// notification, in Unix milliseconds.
    public struct Reading: Sendable {
        public var datapoint: OPCUABoundDatapoint
        public var value: DataValue
        public var receivedAt: Int64

        public init(datapoint: OPCUABoundDatapoint, value: DataValue, receivedAt: Int64) {
            self.datapoint = datapoint
            self.value = value
            self.receivedAt = receivedAt
        }
    }

    /// Values with nothing to report (null without a bad status) are left out; the result may
    /// be empty.
    public func convert(_ readings: [Reading]) -> ConvertedData {
        var data = ConvertedData(deviceName: deviceName, deviceType: deviceType, reportStrategy: reportStrategy)
        var entryIndexByTimestamp: [Int64: Int] = [:]
        for reading in readings {
            let datapoint = reading.datapoint, value = reading.value, receivedAt = reading.receivedAt
            guard let json = OPCUAValueConverter.json(value, node: datapoint.node) else { continue }
            if let strategy = datapoint.reportStrategy { data.keyReportStrategies[datapoint.key] = strategy }
            switch datapoint.section {
            case .attributes:
                data.attributes[datapoint.key] = json
            case .timeseries:
                var ts = Self.timestamp(of: value, location: datapoint.timestampLocation, receivedAt: receivedAt)
                // Two changes of one key in one batch must not overwrite each other: the later
                // one moves to the next free millisecond.
                while let index = entryIndexByTimestamp[ts], data.telemetry[index].values[datapoint.key] != nil { ts += 1 }
                if let index = entryIndexByTimestamp[ts] {
                    data.telemetry[index].values[datapoint.key] = json
                } else {
                    entryIndexByTimestamp[ts] = data.telemetry.count
                    data.telemetry.append(TelemetryEntry(ts: ts, values: [datapoint.key: json]))
                }
            }
        }
        return data
    }

    /// Constant datapoints (`type: constant`), reported once when the device is found.
    public func convertConstants(_ datapoints: [(OPCUADatapointSection, OPCUADatapoint)], receivedAt: Int64) -> ConvertedData {
        var data = ConvertedData(deviceName: deviceName, deviceType: deviceType, reportStrategy: reportStrategy)
        var values: JSONObject = [:]
        for (section, datapoint) in datapoints {
            guard case .constant(let value) = datapoint.source else { continue }
            if let strategy = datapoint.reportStrategy { data.keyReportStrategies[datapoint.key] = strategy }
            switch section {
            case .attributes: data.attributes[datapoint.key] = value
            case .timeseries: values[datapoint.key] = value
            }
        }
        if !values.isEmpty { data.telemetry.append(TelemetryEntry(ts: receivedAt, values: values)) }
        return data
    }

    static func timestamp(of value: DataValue, location: OPCUATimestampLocation, receivedAt: Int64) -> Int64 {
        switch location {
        case .gateway:
            return receivedAt
        case .sourceTimestamp:
            guard let time = value.sourceTimestamp, !time.isNull else { return receivedAt }
            return time.unixMilliseconds
        case .serverTimestamp:
            guard let time = value.serverTimestamp, !time.isNull else { return receivedAt }
            return time.unixMilliseconds
        }
    }
}
