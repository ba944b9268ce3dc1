/// Byte order within a register, or word order across the registers of a multi-register value
/// (`byteOrder` / `wordOrder` in the config; the reference default for both is LITTLE).
public enum ModbusOrder: String, Sendable, Hashable {
    case big = "BIG"
    case little = "LITTLE"

    /// The reference compares `value.upper() == "BIG"`: anything else means LITTLE.
    init(configValue: String) {
        self = configValue.uppercased() == "BIG" ? .big : .little
    }
}

/// What a datapoint's registers or bits hold (`type` in the config). The aliases of the
/// reference (`int`, `long`, `uint`, `float`, `coil`, ...) are resolved when the config is read,
/// so decoding never looks at type names.
public enum ModbusDataType: Sendable, Hashable {
    /// `objectsCount × 2` bytes as UTF-8 (hex when not valid UTF-8).
    case string
    /// `objectsCount × 2` bytes as lower-case hex.
    case bytes
    /// `bit`, `bits`, `coil`, `coils`: one bool (or 0/1) or a list of them.
    case bits
    case int8, uint8
    case int16, uint16, float16
    case int32, uint32, float32
    case int64, uint64, float64

    /// Resolves a config `type` (case-insensitive, as the reference lowercases it). Width aliases
    /// (`int`/`long`/`integer`/`word`/`dword`, `uint`/`unsigned`, `float`/`double`) mean
    /// 16 × objectsCount bits. Returns nil for an unknown name, or an alias whose width is not
    /// 16, 32 or 64 (the reference fails an assertion there).
    public static func resolve(_ name: String, objectsCount: Int) -> ModbusDataType? {
        let lower = name.lowercased()
        switch lower {
        case "string": return .string
        case "bytes": return .bytes
        case "bit", "bits", "coil", "coils": return .bits
        case "8int": return .int8
        case "8uint": return .uint8
        case "16int": return .int16
        case "16uint": return .uint16
        case "16float": return .float16
        case "32int": return .int32
        case "32uint": return .uint32
        case "32float": return .float32
        case "64int": return .int64
        case "64uint": return .uint64
        case "64float": return .float64
        case "int", "long", "integer", "word", "dword", "dword/integer":
            return byWidth(objectsCount, .int16, .int32, .int64)
        case "uint", "unsigned", "unsigned integer", "unsigned int":
            return byWidth(objectsCount, .uint16, .uint32, .uint64)
        case "float", "double":
            return byWidth(objectsCount, .float16, .float32, .float64)
        default: return nil
        }
    }

    private static func byWidth(_ objectsCount: Int, _ w16: ModbusDataType, _ w32: ModbusDataType,
                                _ w64: ModbusDataType) -> ModbusDataType? {
        switch objectsCount {
        case 1: return w16
        case 2: return w32
        case 4: return w64
        default: return nil
        }
    }

    /// Payload bytes the type consumes; nil for the types sized by objectsCount.
    var fixedByteWidth: Int? {
        switch self {
        case .string, .bytes, .bits: return nil
        case .int8, .uint8: return 1
        case .int16, .uint16, .float16: return 2
        case .int32, .uint32, .float32: return 4
        case .int64, .uint64, .float64: return 8
        }
    }

    var isFloat: Bool { self == .float16 || self == .float32 || self == .float64 }
    var isSigned: Bool { self == .int8 || self == .int16 || self == .int32 || self == .int64 }
}
