/// Exception codes a server answers with (spec §7).
public enum ModbusExceptionCode: Sendable, Hashable, CustomStringConvertible {
    case illegalFunction
    case illegalDataAddress
    case illegalDataValue
    case serverDeviceFailure
    case acknowledge
    case serverDeviceBusy
    case gatewayPathUnavailable
    case gatewayTargetFailedToRespond
    case other(UInt8)

    public init(rawValue: UInt8) {
        switch rawValue {
        case 1: self = .illegalFunction
        case 2: self = .illegalDataAddress
        case 3: self = .illegalDataValue
        case 4: self = .serverDeviceFailure
        case 5: self = .acknowledge
        case 6: self = .serverDeviceBusy
        case 10: self = .gatewayPathUnavailable
        case 11: self = .gatewayTargetFailedToRespond
        default: self = .other(rawValue)
        }
    }

    public var rawValue: UInt8 {
        switch self {
        case .illegalFunction: 1
        case .illegalDataAddress: 2
        case .illegalDataValue: 3
        case .serverDeviceFailure: 4
        case .acknowledge: 5
        case .serverDeviceBusy: 6
        case .gatewayPathUnavailable: 10
        case .gatewayTargetFailedToRespond: 11
        case .other(let code): code
        }
    }

    public var description: String {
        switch self {
        case .illegalFunction: "illegal function (1)"
        case .illegalDataAddress: "illegal data address (2)"
        case .illegalDataValue: "illegal data value (3)"
        case .serverDeviceFailure: "server device failure (4)"
        case .acknowledge: "acknowledge (5)"
        case .serverDeviceBusy: "server device busy (6)"
        case .gatewayPathUnavailable: "gateway path unavailable (10)"
        case .gatewayTargetFailedToRespond: "gateway target device failed to respond (11)"
        case .other(let code): "exception code \(code)"
        }
    }
}

/// An exception response: the server understood the request and refused it.
public struct ModbusException: Error, Sendable, Hashable, CustomStringConvertible {
    /// The request's function code (without the 0x80 exception bit).
    public var function: UInt8
    public var code: ModbusExceptionCode

    public init(function: UInt8, code: ModbusExceptionCode) {
        self.function = function & 0x7F
        self.code = code
    }

    /// The exception PDU: function | 0x80, code.
    public var pdu: [UInt8] { [function | 0x80, code.rawValue] }

    public var description: String { "Modbus exception for function \(function): \(code)" }
}
