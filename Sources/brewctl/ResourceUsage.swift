import Foundation

/// Wall time, CPU time and peak memory of this process, for `--stats` and the benchmark.
enum ResourceUsage {
    static func report(wall: TimeInterval) -> String {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        let peakMB = Double(usage.ru_maxrss) / 1024 // Linux reports kilobytes
        return String(format: "stats: wall %.3f s, cpu %.3f s (user %.3f, sys %.3f), peak memory %.1f MB",
                      wall, cpu, Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
                      Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6, peakMB)
    }
}
