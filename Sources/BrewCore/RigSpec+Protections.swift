extension RigSpec {
    /// The interlocks the outputs obey: those the hardware file declares, and the protections
    /// brewctl adds by itself from how the vessels are described, so a rig is safe without the
    /// wiring member having to think of every one (docs/safety.md, "Interlocks"):
    ///
    /// - an element with a level switch heats only while the switch reads wet (an alarm if it is
///   held off for 5 s);
    /// - a recirculation heater (RIMS/HERMS) heats only while its pump runs, and — with a flow
    ///   meter on the vessel — only while the flow is above `min_flow` (it may wait 15 s for the
    ///   pump to prime before that is an alarm);
    /// - a pump with a flow meter that shows no flow 20 s after starting is running dry: it is
    ///   stopped until acknowledged;
    /// - a still's heater heats only while condenser coolant flows (or its switch reads wet); an
///   alarm if it is held off for 5 s.
    ///
    /// An implied protection is left out where a declared interlock already guards the same
    /// output on the same sensor or output: the file's own words win.
    public var effectiveInterlocks: [Interlock] {
        var all = interlocks
        func covered(_ output: String, _ condition: Interlock.Condition) -> Bool {
            interlocks.contains { il in
                il.output == output && il.requires.contains { c in
                    switch (c, condition) {
                    case (.output(let a, _), .output(let b, _)): a == b
                    default: c.sensorID != nil && c.sensorID == condition.sensorID
                    }
                }
            }
        }
        func add(_ output: String, _ condition: Interlock.Condition, _ reason: String, action: Interlock.Action = .hold,
                 grace: Seconds = .zero) {
            guard !covered(output, condition) else { return }
            all.append(Interlock(output: output, requires: [condition], name: nil, reason: reason, action: action, grace: grace, implied: true))
        }
        for v in vessels {
            if let heater = v.heater?.output {
                if let level = v.levelSwitch {
                    // Held off at once; the alarm waits a few seconds, as a filling vessel's switch
                    // reads wet only at the next sample after the liquid arrives.
                    add(heater, .level(sensor: level, wet: true), "\(v.name): the element must be covered", grace: Seconds(5))
                }
                if let pump = v.recirculationPump {
                    add(heater, .output(pump, on: true), "\(v.name): the recirculation pump must run while the element heats")
                    if let meter = v.flowMeter {
                        add(heater, .above(sensor: meter, value: v.minFlow), "\(v.name): no heating without flow through the element",
                            grace: Seconds(15))
                    }
                }
                if let coolant = v.coolantFlow, let spec = sensor(id: coolant) {
                    let condition: Interlock.Condition = spec.part == .levelSwitch ? .level(sensor: coolant, wet: true)
                                                                                  : .above(sensor: coolant, value: v.minFlow)
                    add(heater, condition, "\(v.name): no heat without coolant through the condenser", grace: Seconds(5))
                }
            }
            if let meter = v.flowMeter {
                for pump in Set([v.recirculationPump, v.pump].compactMap { $0 }).sorted() {
                    add(pump, .above(sensor: meter, value: v.minFlow), "\(v.name): pump running dry (no flow)", action: .trip,
                        grace: Seconds(20))
                }
            }
        }
        return all
    }
}
