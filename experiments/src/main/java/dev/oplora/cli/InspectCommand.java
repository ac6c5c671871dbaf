package dev.oplora.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oplora.safetensors.TensorInfo;
import dev.oplora.safetensors.WeightStore;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "List the tensors of a safetensors file or model folder: names, dtypes, shapes, parameter counts.")
final class InspectCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "PATH", description = "A .safetensors file or a model folder (sharded or not).")
    Path path;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (WeightStore store = WeightStore.open(path)) {
            long total = 0;
            ObjectNode root = new ObjectMapper().createObjectNode();
            ArrayNode tensors = root.putArray("tensors");
            StringBuilder table = new StringBuilder(String.format("%-60s %-5s %-18s %12s%n", "tensor", "dtype", "shape", "parameters"));
            for (String name : store.names()) {
                TensorInfo t = store.info(name);
                total += t.elements();
                ObjectNode row = tensors.addObject().put("name", name).put("dtype", t.dtype().name()).put("parameters", t.elements());
                ArrayNode shape = row.putArray("shape");
                for (long d : t.shape()) {
                    shape.add(d);
                }
                table.append(String.format("%-60s %-5s %-18s %12d%n", name, t.dtype(), java.util.Arrays.toString(t.shape()), t.elements()));
            }
            root.put("tensor_count", store.names().size()).put("parameters", total);
            System.out.print(json ? new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n"
                    : table + String.format("%d tensors, %d parameters%n", store.names().size(), total));
        }
        return 0;
    }
}
