package dev.oplora.cli;

import dev.oplora.diagnose.Diagnoser;
import dev.oplora.diagnose.Diagnosis;
import dev.oplora.diagnose.DiagnosisMarkdown;
import dev.oplora.files.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "diagnose", mixinStandardHelpOptions = true,
        description = "The paper's parameter-level metrics between a base and one or more tuned checkpoints "
                + "(bf16 sparsity, NSS, principal angles, mask overlaps, Wedin bound; cross-run Jaccard with two or more).")
final class DiagnoseCommand implements Callable<Integer> {

    @Option(names = "--base", required = true, description = "Base model folder or safetensors file.")
    Path base;

    @Option(names = "--tuned", required = true, description = "Tuned model folder (repeat for several runs).")
    List<Path> tuned;

    @Option(names = "--k", defaultValue = "64", description = "Principal rank for angles and masks (clipped per matrix).")
    int k;

    @Option(names = "--alpha", defaultValue = "0.5", description = "Density of the principal and low-magnitude masks.")
    double alpha;

    @Option(names = "--json", description = "Write the JSON report here.")
    Path json;

    @Option(names = "--md", description = "Write the Markdown report here.")
    Path markdown;

    @Override
    public Integer call() throws Exception {
        for (Path p : tuned) {
            if (!Files.exists(p)) {
                throw new IllegalArgumentException("--tuned " + p + " does not exist");
            }
        }
        Diagnosis d;
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("diagnose").setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).setInitialMax(-1).build()) {
            d = Diagnoser.run(base, tuned, k, alpha, name -> {
                bar.step();
                bar.setExtraMessage(name);
            });
        }
        if (json != null) {
            AtomicFiles.writeJson(json, d);
        }
        String md = DiagnosisMarkdown.render(d);
        if (markdown != null) {
            AtomicFiles.writeString(markdown, md);
        }
        if (json == null && markdown == null) {
            System.out.print(md);
        }
        boolean problems = d.runs().stream().anyMatch(r -> !r.errors().isEmpty());
        for (Diagnosis.Run r : d.runs()) {
            for (Diagnosis.Problem p : r.errors()) {
                System.err.println("not compared in " + r.tuned() + ": " + p.name() + ": " + p.error());
            }
        }
        return problems ? 4 : 0;
    }
}
