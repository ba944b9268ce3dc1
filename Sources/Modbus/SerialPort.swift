#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opens and configures a serial line (raw mode, speed, data bits, parity, stop bits) with termios,
/// returning the descriptor for `NIOPipeBootstrap`. No C shim is needed.
enum SerialPort {
    struct OpenError: Error, CustomStringConvertible {
        var description: String
    }

    static func open(_ settings: ModbusSerialSettings) throws -> Int32 {
        let fd = settings.port.withCString { Glibc.open($0, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC) }
        guard fd >= 0 else {
            throw OpenError(description: "cannot open serial port \(settings.port): \(String(cString: strerror(errno)))")
        }
        do {
            try configure(fd, settings)
            return fd
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    private static func configure(_ fd: Int32, _ settings: ModbusSerialSettings) throws {
        var options = termios()
        guard tcgetattr(fd, &options) == 0 else {
            throw OpenError(description: "\(settings.port) is not a terminal: \(String(cString: strerror(errno)))")
        }
        cfmakeraw(&options)
        let speed = try speedConstant(settings.baudRate)
        cfsetispeed(&options, speed)
        cfsetospeed(&options, speed)
        options.c_cflag &= ~tcflag_t(CSIZE | PARENB | PARODD | CSTOPB)
        switch settings.dataBits {
        case 5: options.c_cflag |= tcflag_t(CS5)
        case 6: options.c_cflag |= tcflag_t(CS6)
        case 7: options.c_cflag |= tcflag_t(CS7)
        case 8: options.c_cflag |= tcflag_t(CS8)
        default: throw OpenError(description: "unsupported data bits \(settings.dataBits) for \(settings.port) (5...8)")
        }
        switch settings.parity {
        case .none: break
        case .even: options.c_cflag |= tcflag_t(PARENB)
        case .odd: options.c_cflag |= tcflag_t(PARENB | PARODD)
        }
        switch settings.stopBits {
        case 1: break
        case 2: options.c_cflag |= tcflag_t(CSTOPB)
        default: throw OpenError(description: "unsupported stop bits \(settings.stopBits) for \(settings.port) (1 or 2)")
        }
        options.c_cflag |= tcflag_t(CLOCAL | CREAD)
        guard tcsetattr(fd, TCSANOW, &options) == 0 else {
            throw OpenError(description: "cannot configure \(settings.port): \(String(cString: strerror(errno)))")
        }
        tcflush(fd, TCIOFLUSH)
    }

    private static func speedConstant(_ baudRate: Int) throws -> speed_t {
        let table: [Int: Int32] = [
            1200: B1200, 2400: B2400, 4800: B4800, 9600: B9600, 19200: B19200, 38400: B38400,
            57600: B57600, 115200: B115200, 230400: B230400, 460800: B460800, 921600: B921600,
        ]
        guard let speed = table[baudRate] else {
            throw OpenError(description: "unsupported baud rate \(baudRate) (one of \(table.keys.sorted()))")
        }
        return speed_t(speed)
    }
}
