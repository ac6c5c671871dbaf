package dev.oplora.tokenizer;

/** The ids of one SFT example: the prompt as the model sees it, and the completion it trains on. */
public record PromptCompletion(int[] prompt, int[] completion) {
}
