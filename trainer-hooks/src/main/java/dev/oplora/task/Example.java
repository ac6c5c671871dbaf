package dev.oplora.task;

/** A prompt with its known answer, e.g. "12+34=" and "46". */
public record Example(String task, int level, String prompt, String answer) {
}
