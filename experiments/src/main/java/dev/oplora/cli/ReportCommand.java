package dev.oplora.cli;

import dev.oplora.report.ReportWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write report.md, report.html (plots inline), results.csv and results.json for a grid folder.")
final class ReportCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "A folder written by oplora grid.")
    Path dir;

    @Override
    public Integer call() throws Exception {
        Path md = ReportWriter.write(dir);
        System.out.println("wrote " + md + ", " + dir.resolve("report.html") + ", results.csv, results.json");
        return 0;
    }
}
