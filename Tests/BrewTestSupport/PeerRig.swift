/// Hardware-file fragments for rigs on the pymodbus peer (`modbus_server.py`), so every test that
/// builds one describes the peer's link and registers the same way.
public enum PeerRig {
    /// `[buses.ID]`: Modbus TCP to the peer on 127.0.0.1:`port`.
    public static func bus(_ id: String = "plc", port: Int, retries: Int) -> String {
        """
        [buses.\(id)]
        type = "modbus_tcp"
        host = "127.0.0.1"
        port = \(port)
        timeout = "300 ms"
        retries = \(retries)
        """
    }

    /// `[outputs.ID]`: a relay on the peer's coil `coil` of unit 7 (the coils start off).
    public static func relay(_ id: String, type: String, coil: Int, bus: String = "plc") -> String {
        """
        [outputs.\(id)]
        type = "\(type)"
        bus = "\(bus)"
        unit = 7
        coil = \(coil)
        """
    }

    /// `[sensors.ID]`: the peer's temperature transmitter — unit 1, holding register 0, int16 in
    /// 0.1 °C (it reads 66.5 °C until a test writes the register).
    public static func transmitter(_ id: String, bus: String = "plc") -> String {
        """
        [sensors.\(id)]
        type = "modbus_register"
        bus = "\(bus)"
        unit = 1
        register = 0
        register_type = "holding"
        data_type = "int16"
        scale = 0.1
        quantity = "temperature"
        """
    }
}
