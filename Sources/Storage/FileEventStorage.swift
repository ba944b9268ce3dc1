import GatewayKit
import Logging

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Events in the reference's on-disk format: `data_<epochMillis>.txt` files, one record per line as
/// base64(UTF-8 JSON) + "\n", and the read pointer `{"file":"data_….txt","position":<line>}` in
/// `state_file.txt`, rewritten atomically on acknowledge. Unlike the reference, a file is deleted only
/// once every record in it is acknowledged, and a record is written (write()) before `append` returns.
/// Positions: `segment` = the file's epoch millis, `offset` = the line just after the pack's last record.
public actor FileEventStorage: EventStorage, WaitableStorage {
    struct Segment {
        var millis: Int64
        var lines: Int
        /// Bytes of complete lines (a crash can leave a partial tail, which is cut off on open).
        var size: Int64
        /// When its newest record was written (the file's mtime after a restart): `ttl_seconds`
        /// expires the whole file once this is older than the TTL.
        var newestMillis: Int64
        var name: String { "data_\(millis).txt" }
    }

    struct Cursor: Equatable {
        var millis: Int64
        var line: Int
        var byteOffset: Int64
    }

    private let configuration: StorageConfiguration.File
    private let folder: String
    private let logger: Logger
    private var segments: [Segment] = []
    /// First unacknowledged record (in `segments[0]` when not empty).
    private var acknowledged: Cursor
    /// First record not yet handed out.
    private var readCursor: Cursor
    /// Byte offsets of the ends of outstanding packs, so acknowledge/rewind need not rescan.
    private var packEnds: [StoragePosition: Int64] = [:]
    private var writeFD: Int32 = -1
    private var recordsSinceFsync = 0
    private var eventCount = 0
    private var counters = StorageStatistics()
    private var drops = DropReporter()
    private var closed = false
    var waiters = WaiterList()
    var isClosed: Bool { closed }

    public init(configuration: StorageConfiguration.File, folder: String, logger: Logger) throws {
        self.configuration = configuration
        self.folder = folder
        self.logger = logger
        try FileSystem.makeDirectory(folder)
        var found: [Int64] = []
        for name in try FileSystem.list(folder) {
            guard name.hasPrefix("data_"), name.hasSuffix(".txt"),
                  let millis = Int64(name.dropFirst(5).dropLast(4)) else { continue }
            found.append(millis)
        }
        found.sort()
        let state = Self.readState(FileSystem.join(folder, "state_file.txt"), logger: logger)
        // Files before the pointer's file were consumed (the reference deletes them on start too).
        if let state, found.contains(state.millis) {
            for millis in found where millis < state.millis {
                FileSystem.remove(FileSystem.join(folder, "data_\(millis).txt"))
            }
            found.removeAll { $0 < state.millis }
        }
        for (index, millis) in found.enumerated() {
            let path = FileSystem.join(folder, "data_\(millis).txt")
            let bytes = try FileSystem.readAll(path) ?? []
            var lines = 0
            var size = 0
            for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
                lines += 1
                size = offset + 1
            }
            if size < bytes.count {
                logger.warning("File storage: \(path) ends with a partial record (\(bytes.count - size) bytes, interrupted write); ignored")
                if index == found.count - 1 { truncate(path, off_t(size)) }
            }
            let newest = FileSystem.modificationMilliseconds(path) ?? millis
            segments.append(Segment(millis: millis, lines: lines, size: Int64(size), newestMillis: newest))
        }
        var start = Cursor(millis: segments.first?.millis ?? 0, line: 0, byteOffset: 0)
        if let state, let first = segments.first, first.millis == state.millis, state.line > 0 {
            let path = FileSystem.join(folder, first.name)
            let bytes = try FileSystem.readAll(path) ?? []
            var line = 0
            var offset = 0
            while line < min(state.line, first.lines), offset < bytes.count {
                if bytes[offset] == UInt8(ascii: "\n") { line += 1 }
                offset += 1
            }
            start = Cursor(millis: first.millis, line: line, byteOffset: Int64(offset))
        }
        acknowledged = start
        readCursor = start
        eventCount = segments.reduce(0) { $0 + $1.lines } - start.line
    }

    deinit {
        // Dropped without close(): release the descriptor (its data is already written to the OS).
        if writeFD >= 0 { FileSystem.closeDescriptor(writeFD) }
    }

    var hasEventsToHandOut: Bool { eventCount > 0 && !isAtEnd(readCursor) }

    /// True when no record after `cursor` remains (empty files, e.g. left by an interrupted
    /// reference gateway, count as consumed so `waitForEvents` never spins).
    private func isAtEnd(_ cursor: Cursor) -> Bool {
        for segment in segments where segment.millis >= cursor.millis {
            let consumed = segment.millis == cursor.millis ? cursor.line : 0
            if segment.lines > consumed { return false }
        }
        return true
    }

    // MARK: append

    @discardableResult
    public func append(_ events: [StoredEvent]) async throws -> AppendResult {
        guard !closed else { throw StorageError.closed }
        let now = currentMilliseconds()
        var dropped = expireFiles(now: now)
        var index = 0
        var buffer: [UInt8] = []
        let byteCap = configuration.limits.maxBytes
        var storedBytes = unacknowledgedBytes
        var refused: [Int] = []
        // Positions of this batch written to each file, so a file dropped for room by the rest
        // of the batch (a batch larger than the caps) reports its events refused, not accepted.
        var writtenTo: [(millis: Int64, positions: Range<Int>)] = []
        func dropOldestForRoom() -> Int {
            if let oldest = segments.first?.millis {
                for chunk in writtenTo where chunk.millis == oldest { refused += chunk.positions }
                // A later file can get the same name once every file is gone.
                writtenTo.removeAll { $0.millis == oldest }
            }
            return dropOldestSegment()
        }
        while index < events.count {
            if let byteCap {
                let size = Self.recordSize(events[index])
                if size > byteCap {
                    dropped += 1  // can never fit, whatever is dropped
                    refused.append(index)
                    index += 1
                    continue
                }
                if storedBytes + size > byteCap {
                    if configuration.limits.overflow == .rejectNewest {
                        dropped += events.count - index
                        refused += index..<events.count
                        break
                    }
                    while storedBytes + size > byteCap, !segments.isEmpty {
                        dropped += dropOldestForRoom()
                        storedBytes = unacknowledgedBytes
                    }
                }
            }
            if writeFD < 0 || segments.last!.lines >= configuration.maxRecordsPerFile {
                // Reopening a last file with room (after a restart) needs no new file, so no cap check.
                let needsNewFile = segments.last.map { $0.lines >= configuration.maxRecordsPerFile } ?? true
                if needsNewFile, segments.count >= configuration.maxFileCount {
                    if configuration.limits.overflow == .rejectNewest {
                        dropped += events.count - index
                        refused += index..<events.count
                        break
                    }
                    dropped += dropOldestForRoom()
                }
                try openWriteSegment()
                storedBytes = unacknowledgedBytes
            }
            let room = configuration.maxRecordsPerFile - segments[segments.count - 1].lines
            var take = min(room, events.count - index)
            if let byteCap {
                // As many as fit under the cap (at least the one checked above).
                var chunkBytes: Int64 = 0
                var fitting = 0
                while fitting < take, storedBytes + chunkBytes + Self.recordSize(events[index + fitting]) <= byteCap {
                    chunkBytes += Self.recordSize(events[index + fitting])
                    fitting += 1
                }
                take = max(1, fitting)
            }
            buffer.removeAll(keepingCapacity: true)
            for event in events[index..<(index + take)] {
                Base64.encode(event.bytes, into: &buffer)
                buffer.append(UInt8(ascii: "\n"))
            }
            let path = FileSystem.join(folder, segments[segments.count - 1].name)
            try FileSystem.writeAll(fd: writeFD, buffer, path: path)
            writtenTo.append((segments[segments.count - 1].millis, index..<(index + take)))
            segments[segments.count - 1].lines += take
            segments[segments.count - 1].size += Int64(buffer.count)
            segments[segments.count - 1].newestMillis = now
            storedBytes += Int64(buffer.count)
            eventCount += take
            counters.appended += Int64(take)
            recordsSinceFsync += take
            index += take
        }
        if recordsSinceFsync >= configuration.maxRecordsBetweenFsync, writeFD >= 0 {
            fsync(writeFD)
            recordsSinceFsync = 0
        }
        report(dropped: dropped)
        if hasEventsToHandOut { waiters.resumeAll() }
        return AppendResult(dropped: dropped, refused: refused.sorted())
    }

    /// What `max_bytes` caps: the bytes of unacknowledged records (acknowledged ones still in the
    /// oldest file do not count, or a fully acknowledged write file could block `rejectNewest` for good).
    private var unacknowledgedBytes: Int64 {
        segments.reduce(0) { $0 + $1.size } - (segments.first?.millis == acknowledged.millis ? acknowledged.byteOffset : 0)
    }

    /// Bytes of one record on disk: base64 of the event plus the newline.
    private static func recordSize(_ event: StoredEvent) -> Int64 {
        Int64((event.bytes.count + 2) / 3 * 4 + 1)
    }

    /// `ttl_seconds`, file by file: a file whose newest record is older than the TTL is deleted
    /// (its unacknowledged records counted as dropped). A comparison per call, so no period is needed.
    private func expireFiles(now: Int64) -> Int {
        guard let ttl = configuration.limits.ttlSeconds else { return 0 }
        var expired = 0
        while let oldest = segments.first, oldest.newestMillis <= now - ttl * 1000 {
            expired += dropOldestSegment()
        }
        return expired
    }

    private func openWriteSegment() throws {
        if writeFD >= 0 {
            fsync(writeFD)
            FileSystem.closeDescriptor(writeFD)
            writeFD = -1
        }
        if let last = segments.last, last.lines < configuration.maxRecordsPerFile {
            let path = FileSystem.join(folder, last.name)
            writeFD = open(path, O_WRONLY | O_APPEND)
            guard writeFD >= 0 else { throw StorageError.io(path: path, operation: "open", errno: errno) }
            return
        }
        let millis = max(currentMilliseconds(), (segments.last?.millis ?? 0) + 1)
        let segment = Segment(millis: millis, lines: 0, size: 0, newestMillis: millis)
        let path = FileSystem.join(folder, segment.name)
        writeFD = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL, 0o644)
        guard writeFD >= 0 else { throw StorageError.io(path: path, operation: "create", errno: errno) }
        if segments.isEmpty {
            acknowledged = Cursor(millis: millis, line: 0, byteOffset: 0)
            readCursor = acknowledged
        }
        segments.append(segment)
    }

    /// Deletes the oldest file (to make room, or expired); returns how many unacknowledged records it held.
    private func dropOldestSegment() -> Int {
        guard !segments.isEmpty else { return 0 }
        let oldest = segments.removeFirst()
        if segments.isEmpty, writeFD >= 0 {
            FileSystem.closeDescriptor(writeFD)
            writeFD = -1
        }
        FileSystem.remove(FileSystem.join(folder, oldest.name))
        let lost = oldest.lines - (acknowledged.millis == oldest.millis ? acknowledged.line : 0)
        eventCount -= lost
        let next = segments.first.map { Cursor(millis: $0.millis, line: 0, byteOffset: 0) }
            ?? Cursor(millis: oldest.millis + 1, line: 0, byteOffset: 0)
        acknowledged = next
        if readCursor.millis <= oldest.millis { readCursor = next }
        packEnds = packEnds.filter { $0.key.segment > oldest.millis }
        writeStateFile()
        return lost
    }

    // MARK: read

    public func nextPack(maxEvents: Int) async throws -> EventPack? {
        guard !closed else { throw StorageError.closed }
        let expired = expireFiles(now: currentMilliseconds())
        if expired > 0 { report(dropped: expired) }
        let limit = min(maxEvents, configuration.maxReadRecordsCount)
        guard limit > 0, hasEventsToHandOut else { return nil }
        var events: [StoredEvent] = []
        var cursor = readCursor
        while events.count < limit {
            guard let index = segments.firstIndex(where: { $0.millis >= cursor.millis }) else { break }
            if segments[index].millis > cursor.millis {
                cursor = Cursor(millis: segments[index].millis, line: 0, byteOffset: 0)
            }
            let segment = segments[index]
            if cursor.line >= segment.lines {
                guard index + 1 < segments.count else { break }
                cursor = Cursor(millis: segments[index + 1].millis, line: 0, byteOffset: 0)
                continue
            }
            try readLines(of: segment, from: &cursor, upTo: limit, into: &events)
        }
        // Lines that were all unreadable are skipped for good (left for the next pack's
        // acknowledgement to free): otherwise the storage would keep saying it has events to hand
        // out, and the uplink would re-read them without pause.
        readCursor = cursor
        guard !events.isEmpty else { return nil }
        let position = StoragePosition(segment: cursor.millis, offset: Int64(cursor.line))
        packEnds[position] = cursor.byteOffset
        return EventPack(position: position, events: events)
    }

    /// Reads complete lines of one file from `cursor` in chunks with pread (no whole-file reads).
    private func readLines(of segment: Segment, from cursor: inout Cursor, upTo limit: Int,
                           untilLine: Int? = nil, into events: inout [StoredEvent]) throws {
        let lastLine = min(untilLine ?? segment.lines, segment.lines)
        let path = FileSystem.join(folder, segment.name)
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw StorageError.io(path: path, operation: "open", errno: errno) }
        defer { FileSystem.closeDescriptor(fd) }
        var chunkSize = 256 * 1024
        while events.count < limit, cursor.line < lastLine {
            let wanted = Int(min(Int64(chunkSize), segment.size - cursor.byteOffset))
            var chunk = [UInt8](repeating: 0, count: wanted)
            let got = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, wanted, off_t(cursor.byteOffset)) }
            guard got > 0 else { throw StorageError.io(path: path, operation: "read", errno: errno) }
            var lineStart = 0
            var consumed = false
            // Find line ends with memchr rather than a byte loop (this is the read hot path).
            while events.count < limit, cursor.line < lastLine, lineStart < got {
                let found = chunk.withUnsafeBytes { raw -> Int? in
                    guard let hit = memchr(raw.baseAddress! + lineStart, Int32(UInt8(ascii: "\n")), got - lineStart)
                    else { return nil }
                    return UnsafeRawPointer(hit) - raw.baseAddress!
                }
                guard let newline = found else { break }
                var end = newline
                if end > lineStart, chunk[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                if let decoded = Base64.decode(chunk[lineStart..<end]) {
                    events.append(StoredEvent(bytes: decoded))
                } else {
                    logger.error("File storage: \(path) line \(cursor.line + 1) is not base64; skipped")
                    counters.dropped += 1
                }
                cursor.line += 1
                cursor.byteOffset += Int64(newline + 1 - lineStart)
                lineStart = newline + 1
                consumed = true
            }
            if !consumed { chunkSize *= 2 }  // a record longer than the chunk
        }
    }

    // MARK: acknowledge

    public func acknowledge(_ pack: EventPack) async throws {
        guard !closed else { throw StorageError.closed }
        let target = pack.position
        guard target.segment > acknowledged.millis
                || (target.segment == acknowledged.millis && Int(target.offset) > acknowledged.line) else { return }
        guard let targetIndex = segments.firstIndex(where: { $0.millis == target.segment }) else { return }
        var removed = 0
        for _ in 0..<targetIndex {
            let segment = segments.removeFirst()
            removed += segment.lines - (segment.millis == acknowledged.millis ? acknowledged.line : 0)
            FileSystem.remove(FileSystem.join(folder, segment.name))
        }
        let byteOffset = try packEnds[target] ?? byteOffset(ofLine: Int(target.offset), in: segments[0])
        removed += Int(target.offset) - (acknowledged.millis == target.segment ? acknowledged.line : 0)
        acknowledged = Cursor(millis: target.segment, line: Int(target.offset), byteOffset: byteOffset)
        // A fully read file that is no longer written to is deleted; the write file stays.
        if segments.count > 1, acknowledged.line >= segments[0].lines {
            let done = segments.removeFirst()
            FileSystem.remove(FileSystem.join(folder, done.name))
            acknowledged = Cursor(millis: segments[0].millis, line: 0, byteOffset: 0)
        }
        if readCursor.millis < acknowledged.millis
            || (readCursor.millis == acknowledged.millis && readCursor.line < acknowledged.line) {
            readCursor = acknowledged
        }
        packEnds = packEnds.filter {
            $0.key.segment > target.segment || ($0.key.segment == target.segment && $0.key.offset > target.offset)
        }
        eventCount -= removed
        counters.acknowledged += Int64(removed)
        writeStateFile()
    }

    public func rewind() async {
        readCursor = acknowledged
        packEnds.removeAll()
    }

    /// Byte offset where `line` starts in a file, for a position whose pack end was not recorded
    /// (e.g. a pack acknowledged after a rewind).
    private func byteOffset(ofLine line: Int, in segment: Segment) throws -> Int64 {
        guard line > 0 else { return 0 }
        var cursor = Cursor(millis: segment.millis, line: 0, byteOffset: 0)
        var skipped: [StoredEvent] = []
        let droppedBefore = counters.dropped
        try readLines(of: segment, from: &cursor, upTo: Int.max, untilLine: line, into: &skipped)
        counters.dropped = droppedBefore  // undecodable lines were already counted when handed out
        return cursor.byteOffset
    }

    public func waitForEvents() async {
        await suspendUntilEvents()
    }

    public func statistics() async -> StorageStatistics {
        var stats = counters
        stats.events = eventCount
        stats.bytes = unacknowledgedBytes
        stats.oldestAgeMilliseconds = eventCount > 0 ? segments.first.map { max(0, currentMilliseconds() - $0.millis) } : nil
        return stats
    }

    public func close() async {
        guard !closed else { return }
        closed = true
        if writeFD >= 0 {
            fsync(writeFD)
            FileSystem.closeDescriptor(writeFD)
            writeFD = -1
        }
        waiters.resumeAll()
    }

    // MARK: state file

    private func writeStateFile() {
        guard let first = segments.first else { return }
        let line = first.millis == acknowledged.millis ? acknowledged.line : 0
        let text = #"{"file":"\#(first.name)","position":\#(line)}"#
        do {
            try FileSystem.replaceAtomically(FileSystem.join(folder, "state_file.txt"), with: Array(text.utf8))
        } catch {
            logger.error("File storage: cannot write state_file.txt: \(error); acknowledged records may be sent again after a restart")
        }
    }

    private static func readState(_ path: String, logger: Logger) -> (millis: Int64, line: Int)? {
        guard let bytes = try? FileSystem.readAll(path) else { return nil }
        guard let json = try? JSONValue.parse(bytes), let name = json["file"]?.stringValue,
              name.hasPrefix("data_"), name.hasSuffix(".txt"),
              let millis = Int64(name.dropFirst(5).dropLast(4)) else {
            logger.warning("File storage: \(path) is unreadable; reading from the oldest data file")
            return nil
        }
        let line = json["position"]?.intValue ?? 0
        return (millis, Int(max(0, line)))
    }

    private func report(dropped: Int) {
        guard dropped > 0 else {
            drops.noteCalm()
            return
        }
        counters.dropped += Int64(dropped)
        if drops.noteDrops(dropped) {
            let byteCap = configuration.limits.maxBytes.map { ", max_bytes \($0)" } ?? ""
            let ttl = configuration.limits.ttlSeconds.map { ", ttl_seconds \($0)" } ?? ""
            logger.warning("File storage \(folder): dropping events (max_file_count \(configuration.maxFileCount)\(byteCap)\(ttl), policy \(configuration.limits.overflow.rawValue)); further drops in this burst are only counted")
        }
    }
}
