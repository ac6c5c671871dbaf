package dev.oplora.cli;

import dev.oplora.grid.GridConfig;
import dev.oplora.grid.GridRunner;
import dev.oplora.report.ReportWriter;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Pretrain a small base, run a small grid (full, lora, op-lora, op-lora projected, pissa, sparse principal, "
                + "sparse principal-complement; sft and grpo), diagnose and report, in the PNT regime (bf16, RL at a tenth of SFT's rate, 3 seeds, a matched-rate control). "
                + "About 8 minutes on 2 cores; --quick under a minute.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--quick", description = "A much smaller budget, for CI.")
    boolean quick;

    @Option(names = "--out", defaultValue = "runs/demo", description = "Output folder.")
    Path out;

    @Override
    public Integer call() throws Exception {
        String resource = quick ? "/configs/demo-quick.json" : "/configs/demo.json";
        Path config = Files.createTempFile("oplora-demo", ".json");
        try (InputStream in = DemoCommand.class.getResourceAsStream(resource)) {
            Files.copy(in, config, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        long start = System.nanoTime();
        GridRunner.Summary s = GridRunner.run(GridConfig.read(config), out, 1, line -> System.err.println("demo: " + line));
        Files.deleteIfExists(config);
        Path report = ReportWriter.write(out);
        System.out.printf("demo: %d cells (%d failed) in %.0f s%nreport: %s%n       %s%n", s.cells(), s.failed(),
                (System.nanoTime() - start) / 1e9, report.toAbsolutePath(), out.resolve("report.html").toAbsolutePath());
        return s.failed() == 0 ? 0 : 5;
    }
}
