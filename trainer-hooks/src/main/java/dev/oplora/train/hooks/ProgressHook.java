package dev.oplora.train.hooks;

import dev.oplora.train.TrainerHook;
import dev.oplora.train.TrainerState;
import java.util.Map;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A console progress bar over the steps, with the latest loss and reward as its message. */
public final class ProgressHook implements TrainerHook {

    private final String label;
    private ProgressBar bar;

    public ProgressHook(String label) {
        this.label = label;
    }

    @Override
    public void onStart(TrainerState state) {
        bar = new ProgressBarBuilder().setTaskName(label).setInitialMax(state.config.maxSteps())
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err))
                .setUpdateIntervalMillis(500).build();
        bar.stepTo(state.step());
    }

    @Override
    public void afterOptimizerStep(TrainerState state) {
        bar.stepTo(state.step());
    }

    @Override
    public void onLog(TrainerState state, Map<String, Double> metrics) {
        StringBuilder message = new StringBuilder();
        for (String key : new String[] {"loss", "reward"}) {
            Double v = metrics.get(key);
            if (v != null) {
                message.append(key).append(' ').append(String.format("%.4f", v)).append(' ');
            }
        }
        bar.setExtraMessage(message.toString().trim());
    }

    @Override
    public void onEnd(TrainerState state) {
        bar.close();
    }
}
