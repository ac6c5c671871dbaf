"""Renders every template in templates/ (and, with --fixtures DIR, every model folder's chat
template there) with every conversation in conversations.json, using Jinja2 configured as
transformers' apply_chat_template configures it. Writes expected.json. Test data only: oplora
itself never runs Python."""
import hashlib, json, os, sys
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2 import nodes
from jinja2.ext import Extension

class Generation(Extension):  # transformers' AssistantTracker, without the mask bookkeeping
    tags = {"generation"}
    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_render"), [], [], body).set_lineno(lineno)
    def _render(self, caller):
        return caller()

def raise_exception(message):
    raise RuntimeError(message)

def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[Generation, loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    return env

SPECIAL = {"bos_token": "<s>", "eos_token": "</s>"}

def render_all(source, special, conversations):
    template = environment().from_string(source)
    out = {}
    for c in conversations:
        context = dict(special)
        context.update(c.get("variables", {}))
        try:
            # As transformers' apply_chat_template: tools and documents are always passed, None when absent.
            arguments = {"tools": None, "documents": None}
            arguments.update(context)
            out[c["name"]] = {"text": template.render(messages=c["messages"], add_generation_prompt=c["add_generation_prompt"], **arguments)}
        except RuntimeError as e:
            out[c["name"]] = {"error": str(e)}
    return out

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    conversations = json.load(open(os.path.join(here, "conversations.json"), encoding="utf-8"))
    expected = {"special_tokens": SPECIAL, "templates": {}, "by_sha256": {}}
    for name in sorted(os.listdir(os.path.join(here, "templates"))):
        source = open(os.path.join(here, "templates", name), encoding="utf-8").read()
        expected["templates"][name] = render_all(source, SPECIAL, conversations)
    if len(sys.argv) > 2 and sys.argv[1] == "--fixtures":
        for folder in sorted(os.listdir(sys.argv[2])):
            config = json.load(open(os.path.join(sys.argv[2], folder, "tokenizer_config.json"), encoding="utf-8"))
            source = config["chat_template"]
            special = {k: (v if isinstance(v, str) else v["content"]) for k, v in config.items()
                       if k in ("bos_token", "eos_token", "pad_token", "unk_token") and v is not None}
            digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
            expected["by_sha256"][digest] = render_all(source, special, conversations)
    with open(os.path.join(here, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")

main()
