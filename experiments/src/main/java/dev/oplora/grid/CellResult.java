package dev.oplora.grid;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.oplora.config.ConfigFiles;
import dev.oplora.config.ConfigName;
import dev.oplora.config.ConfigNames;
import dev.oplora.files.AtomicFiles;
import dev.oplora.train.Algo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a grid cell leaves in {@code cells/NAME/result.json}: which run it was, how it ended, its
 * held-out metrics and the diagnosis summary of its merged model against the base. Written and
 * read by this type only.
 *
 * @param method the method name with its variant suffix (e.g. {@code lora-r16})
 * @param error why the cell failed or stopped, else null
 * @param evaluation held-out metrics ({@code eval/accuracy}, ...), null when the cell failed
 * @param geometry the diagnosis summary over every weight (keys of {@link dev.oplora.geometry.GeometryKeys}), null when it failed
 * @param geometryTrained the same over the weights the method could change (the linear projections)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CellResult(@JsonProperty("cell") String cell, @JsonProperty("group") String group,
                         @JsonProperty("method") String method, @JsonProperty("algo") Algo algo,
                         @JsonProperty("task") String task, @JsonProperty("seed") long seed,
                         @JsonProperty("status") Status status, @JsonProperty("error") String error,
                         @JsonProperty("evaluation") Map<String, Double> evaluation,
                         @JsonProperty("geometry") Map<String, Double> geometry,
                         @JsonProperty("seconds") double seconds,
                         @JsonProperty("geometry_trained") Map<String, Double> geometryTrained) {

    public static final String FILE = "result.json";

    /** How a cell ended: done ({@code ok}), stopped by a hook (e.g. non-finite loss) or failed with an error. */
    public enum Status implements ConfigName {
        OK, STOPPED, FAILED;

        @JsonCreator
        public static Status parse(String value) {
            return ConfigNames.parse(Status.class, "status", value);
        }
    }

    public boolean ok() {
        return status == Status.OK;
    }

    /** Reads a result file; errors name the file and the field. */
    public static CellResult read(Path file) throws IOException {
        return ConfigFiles.read(file, CellResult.class, "cell result");
    }

    /** Writes the result atomically. */
    public void write(Path file) throws IOException {
        AtomicFiles.writeJson(file, this);
    }
}
