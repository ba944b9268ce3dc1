import NIOCore

/// Variant encoding byte: low 6 bits the built-in type, 0x40 "dimensions follow", 0x80 "array".
private enum VariantMask {
    static let type: UInt8 = 0x3F
    static let dimensions: UInt8 = 0x40
    static let array: UInt8 = 0x80
}

extension Variant: OPCUABinaryEncodable, OPCUABinaryDecodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        self = try reader.nested("Variant") { (reader) throws(OPCUADecodingError) -> Variant in
            let encoding: UInt8 = try reader.readInteger()
            guard let type = OPCUABuiltInType(rawValue: encoding & VariantMask.type) else {
                throw OPCUADecodingError("Variant has unknown built-in type \(encoding & VariantMask.type)")
            }
            guard encoding & VariantMask.array != 0 else {
                guard encoding & VariantMask.dimensions == 0 else {
                    throw OPCUADecodingError("scalar Variant of \(type) claims array dimensions")
                }
                guard type != .variant else { throw OPCUADecodingError("a scalar Variant cannot hold a Variant") }
                return try Variant.decodeScalar(type, from: &reader)
            }
            let count = try reader.readLength(of: "Variant array of \(type)") ?? 0
            var elements: [Variant] = []
            elements.reserveCapacity(count)
            for _ in 0..<count {
                elements.append(
                    type == .variant ? try Variant(from: &reader) : try Variant.decodeScalar(type, from: &reader))
            }
            var dimensions: [Int32]?
            if encoding & VariantMask.dimensions != 0 {
                let dims: [Int32] = try reader.readArray(Int32.self) ?? []
                var product = 1
                for dimension in dims {
                    guard dimension >= 0 else { throw OPCUADecodingError("Variant matrix has negative dimension") }
                    product = product.multipliedReportingOverflow(by: Int(dimension)).partialValue
                }
                guard product == count else {
                    throw OPCUADecodingError("Variant matrix dimensions \(dims) do not match \(count) elements")
                }
                dimensions = dims
            }
            return .array(VariantArray(elementType: type, elements: elements, dimensions: dimensions))
        }
    }

    static func decodeScalar(
        _ type: OPCUABuiltInType, from reader: inout OPCUABinaryReader
    ) throws(OPCUADecodingError) -> Variant {
        switch type {
        case .null: return .null
        case .boolean: return .boolean(try Bool(from: &reader))
        case .sbyte: return .sbyte(try reader.readInteger())
        case .byte: return .byte(try reader.readInteger())
        case .int16: return .int16(try reader.readInteger())
        case .uint16: return .uint16(try reader.readInteger())
        case .int32: return .int32(try reader.readInteger())
        case .uint32: return .uint32(try reader.readInteger())
        case .int64: return .int64(try reader.readInteger())
        case .uint64: return .uint64(try reader.readInteger())
        case .float: return .float(try Float(from: &reader))
        case .double: return .double(try Double(from: &reader))
        case .string: return .string(try reader.readString())
        case .dateTime: return .dateTime(try OPCUADateTime(from: &reader))
        case .guid: return .guid(try Guid(from: &reader))
        case .byteString: return .byteString(try reader.readByteString())
        case .xmlElement: return .xmlElement(try reader.readString())
        case .nodeId: return .nodeId(try NodeId(from: &reader))
        case .expandedNodeId: return .expandedNodeId(try ExpandedNodeId(from: &reader))
        case .statusCode: return .statusCode(try StatusCode(from: &reader))
        case .qualifiedName: return .qualifiedName(try QualifiedName(from: &reader))
        case .localizedText: return .localizedText(try LocalizedText(from: &reader))
        case .extensionObject: return .extensionObject(try ExtensionObject(from: &reader))
        case .dataValue: return .dataValue(try DataValue(from: &reader))
        case .diagnosticInfo: return .diagnosticInfo(try DiagnosticInfo(from: &reader))
        case .variant: return try Variant(from: &reader)
        }
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        guard case .array(let array) = self else {
            writer.writeInteger(builtInType.rawValue)
            encodeScalarBody(to: &writer)
            return
        }
        var encoding = array.elementType.rawValue | VariantMask.array
        if array.dimensions != nil { encoding |= VariantMask.dimensions }
        writer.writeInteger(encoding)
        writer.writeInteger(Int32(array.elements.count))
        for element in array.elements {
            if array.elementType == .variant {
                element.encode(to: &writer)
            } else {
                element.encodeScalarBody(to: &writer)
            }
        }
        if let dimensions = array.dimensions { writer.writeArray(dimensions) }
    }

    /// Writes a scalar without its encoding byte (array elements share the array's byte).
    /// An array nested where a scalar belongs (only possible in hand-built values) is written as a Variant.
    func encodeScalarBody(to writer: inout OPCUABinaryWriter) {
        switch self {
        case .null: break
        case .boolean(let value): value.encode(to: &writer)
        case .sbyte(let value): writer.writeInteger(value)
        case .byte(let value): writer.writeInteger(value)
        case .int16(let value): writer.writeInteger(value)
        case .uint16(let value): writer.writeInteger(value)
        case .int32(let value): writer.writeInteger(value)
        case .uint32(let value): writer.writeInteger(value)
        case .int64(let value): writer.writeInteger(value)
        case .uint64(let value): writer.writeInteger(value)
        case .float(let value): value.encode(to: &writer)
        case .double(let value): value.encode(to: &writer)
        case .string(let value): writer.writeString(value)
        case .dateTime(let value): value.encode(to: &writer)
        case .guid(let value): value.encode(to: &writer)
        case .byteString(let value): writer.writeByteString(value)
        case .xmlElement(let value): writer.writeString(value)
        case .nodeId(let value): value.encode(to: &writer)
        case .expandedNodeId(let value): value.encode(to: &writer)
        case .statusCode(let value): value.encode(to: &writer)
        case .qualifiedName(let value): value.encode(to: &writer)
        case .localizedText(let value): value.encode(to: &writer)
        case .extensionObject(let value): value.encode(to: &writer)
        case .dataValue(let value): value.encode(to: &writer)
        case .diagnosticInfo(let value): value.encode(to: &writer)
        case .array: encode(to: &writer)
        }
    }
}
