import ArgumentParser

@main
struct BrewCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brewctl",
        abstract: "Brewery and distillery control: brew recipes on a real or simulated rig, and keep the club's batch log.",
        discussion: """
        With no --hardware and no configured rig, brewctl uses Hardware/sim.toml, the simulated club brewery.
        Examples:
          brewctl run Recipes/ipa.toml --speed 120 --yes
          brewctl log list
          brewctl log export 1 --format csv > batch1.csv
        """,
        subcommands: [Run.self, Resume.self, Validate.self, Import.self, Log.self, Off.self, Ack.self, Confirm.self, HardwareCommand.self]
    )
}
