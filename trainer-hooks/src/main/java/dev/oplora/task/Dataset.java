package dev.oplora.task;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Seeded, disjoint train and test splits over tasks and levels. The test set is drawn first; the
 * training stream never yields a test prompt, so held-out accuracy is really held out. A test
 * cell takes at most half of its level's prompt space, so small levels keep training data.
 */
public final class Dataset {

    private final List<Task> tasks;
    private final List<Integer> levels;
    private final List<Example> test;
    private final Set<String> testPrompts = new HashSet<>();

    public Dataset(List<Task> tasks, List<Integer> levels, int testPerCell, long seed) {
        if (tasks.isEmpty() || levels.isEmpty()) {
            throw new IllegalArgumentException("a dataset needs at least one task and one level");
        }
        for (Task t : tasks) {
            for (int level : levels) {
                t.requireLevel(level);
            }
        }
        this.tasks = List.copyOf(tasks);
        this.levels = List.copyOf(levels);
        RandomGenerator random = new java.util.SplittableRandom(seed ^ 0x7e57L);
        List<Example> held = new ArrayList<>();
        for (Task t : tasks) {
            for (int level : levels) {
                long wanted = Math.min(testPerCell, t.size(level) / 2);
                Set<String> seen = new HashSet<>();
                while (seen.size() < wanted) {
                    Example e = t.sample(level, random);
                    if (seen.add(e.prompt())) {
                        held.add(e);
                        testPrompts.add(e.prompt());
                    }
                }
            }
        }
        this.test = List.copyOf(held);
    }

    public List<Example> test() {
        return test;
    }

    /** Test examples of one task and level. */
    public List<Example> test(String task, int level) {
        return test.stream().filter(e -> e.task().equals(task) && e.level() == level).toList();
    }

    /** A training example drawn uniformly over (task, level), never a test prompt. */
    public Example train(RandomGenerator random) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            Task t = tasks.get(random.nextInt(tasks.size()));
            Example e = t.sample(levels.get(random.nextInt(levels.size())), random);
            if (!testPrompts.contains(e.prompt())) {
                return e;
            }
        }
        throw new IllegalStateException("the test split covers the whole training space; use fewer test examples");
    }

    public List<Task> tasks() {
        return tasks;
    }

    public List<Integer> levels() {
        return levels;
    }
}
