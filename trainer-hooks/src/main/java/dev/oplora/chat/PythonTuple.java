package dev.oplora.chat;

import com.hubspot.jinjava.objects.collections.PyList;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * A Python tuple: to the engine a list (its own list type, which a for loop can unpack, as in
 * "for k, v in d.items()"), printed with parentheses as Python's repr prints a tuple.
 */
final class PythonTuple extends PyList {

    PythonTuple(Object... items) {
        super(new ArrayList<>(Arrays.asList(items)));
    }
}
