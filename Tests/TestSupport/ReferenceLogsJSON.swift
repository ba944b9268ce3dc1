/// The reference's logs.json (config/logs.json of the Python package), shortened to the loggers
/// the gateway's tests look at, with its file handlers in `folder` (the package's own: `./logs`).
public func referenceLogsJSON(folder: String) -> String {
    func fileHandler(_ name: String) -> String {
        """
        {"class": "thingsboard_gateway.tb_utility.tb_rotating_file_handler.TimedRotatingFileHandler",
         "formatter": "LogFormatter", "filename": "\(folder)/\(name).log", "backupCount": 7, "interval": 3, "when": "D",
         "maxBytes": 0, "encoding": "utf-8"}
        """
    }
    return """
        {
          "version": 1, "disable_existing_loggers": false,
          "formatters": {"LogFormatter": {"class": "logging.Formatter",
            "format": "%(asctime)s.%(msecs)03d - |%(levelname)s| - [%(filename)s] - %(module)s - %(funcName)s - %(lineno)d - %(message)s",
            "datefmt": "%Y-%m-%d %H:%M:%S"}},
          "handlers": {
            "consoleHandler": {"class": "logging.StreamHandler", "formatter": "LogFormatter", "level": 0, "stream": "ext://sys.stdout"},
            "serviceHandler": \(fileHandler("service")),
            "connectorHandler": \(fileHandler("connector")),
            "converterHandler": \(fileHandler("converter")),
            "tb_connectionHandler": \(fileHandler("tb_connection")),
            "storageHandler": \(fileHandler("storage"))
          },
          "loggers": {
            "service": {"handlers": ["serviceHandler", "consoleHandler"], "level": "INFO", "propagate": false},
            "connector": {"handlers": ["connectorHandler", "consoleHandler"], "level": "INFO", "propagate": false},
            "converter": {"handlers": ["converterHandler", "consoleHandler"], "level": "INFO", "propagate": false},
            "tb_connection": {"handlers": ["tb_connectionHandler", "consoleHandler"], "level": "INFO", "propagate": false},
            "storage": {"handlers": ["storageHandler", "consoleHandler"], "level": "INFO", "propagate": false}
          },
          "root": {"level": "ERROR", "handlers": ["consoleHandler"]}
        }
        """
}
