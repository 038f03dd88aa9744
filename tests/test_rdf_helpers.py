"""Hand-made extractions and a synthetic corpus shared by the RDF, store, query and export tests."""

from __future__ import annotations

import random

from kg.graph import build_graph
from kg.keys import entity_key, url_key
from kg.model import CodeUrl, Entity, Extraction, Mention, Paper

__all__ = ["HOSTILE", "paper", "method", "dataset", "code", "small_corpus", "synthetic"]

HOSTILE = [
    'x"}) DETACH DELETE n //',
    "a\\b\\\\c",
    "{braces} and `backticks`",
    "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
    "ünïcødé 数据集 ∞",
    "with space / slash # hash % pct",
    "'single' \"double\" \n newline\ttab",
    "<http://evil/> .",
]


def _m(text: str, rule: str = "kb", field: str = "abstract", start: int = 0) -> Mention:
    return Mention(field, start, start + len(text), f"We use {text}.", rule)


def paper(key: str, title: str, source: str = "seed.txt", **kw) -> Paper:
    return Paper(key=key, title=title, abstract=kw.pop("abstract", f"Abstract of {title}."),
                 source=source, **kw)


def method(name: str, role: str = "mentioned", aliases: tuple[str, ...] = (), known: bool = True) -> Entity:
    """A method; ``known`` (the default) makes it a knowledge-base entity: one node by its name."""
    return Entity("Method", entity_key(name), name, role, aliases, (_m(name, "kb"),),
                  kb_id(entity_key(name), "Method") if known else None)


def dataset(name: str, role: str = "used", aliases: tuple[str, ...] = (), n: int = 1, known: bool = True) -> Entity:
    """A dataset; ``known`` (the default) makes it a knowledge-base entity: one node by its name."""
    ms = tuple(_m(name, f"rule{i}", start=10 * i) for i in range(n))
    return Entity("Dataset", entity_key(name), name, role, aliases, ms,
                  kb_id(entity_key(name), "Dataset") if known else None)


def kb_id(key: str, kind: str) -> str:
    return f"{kind.lower()}:{key}"


def code(url: str, host: str = "github", owner: str | None = None, repo: str | None = None) -> CodeUrl:
    return CodeUrl(url, url_key(url), host, owner, repo, (_m(url, "url"),))


def small_corpus() -> list[Extraction]:
    """Five papers sharing datasets, methods and a code owner; expected query rows are in the tests."""
    return [
        Extraction(paper("arxiv:2401.00001", "Alpha: a new detector", arxiv_id="2401.00001",
                         authors=("Ann", "Bob"), date="2024-01-02", url="https://arxiv.org/abs/2401.00001"),
                   methods=(method("AlphaNet", "proposed"), method("ResNet")),
                   datasets=(dataset("ImageNet", n=2), dataset("COCO")),
                   code_urls=(code("https://github.com/acme/alpha", "github", "acme", "alpha"),)),
        Extraction(paper("arxiv:2401.00002", "Beta learns faster", arxiv_id="2401.00002"),
                   methods=(method("BetaNet", "proposed"), method("ResNet"), method("GPT-3")),
                   datasets=(dataset("ImageNet"), dataset("CIFAR-100", aliases=("CIFAR100",))),
                   code_urls=(code("https://github.com/acme/beta", "github", "acme", "beta"),)),
        Extraction(paper("title:gamma", "Gamma: a benchmark"),
                   methods=(method("GPT-3"),),
                   datasets=(dataset("GammaBench", "introduced"), dataset("CIFAR100"), dataset("COCO"))),
        Extraction(paper("arxiv:2401.00004", "Delta without code", arxiv_id="2401.00004"),
                   methods=(method("DeltaNet", "proposed"), method("ResNet")),
                   datasets=(dataset("ImageNet"),)),
        Extraction(paper("arxiv:2401.00005", "Epsilon on the hub", arxiv_id="2401.00005"),
                   methods=(method("GPT-3"),),
                   datasets=(dataset("COCO"),),
                   code_urls=(code("https://huggingface.co/solo/eps", "huggingface", "solo", "eps"),)),
    ]


def hostile_corpus() -> list[Extraction]:
    """Papers whose every string is hostile to IRIs, Turtle, SPARQL and Cypher."""
    out = []
    for i, h in enumerate(HOSTILE):
        out.append(Extraction(
            paper(f"title:{h}", f"{h} title {i}", source=f"dir #{i}/{h}.jsonl", authors=(h,), date=h),
            methods=(method(f"{h} method", "proposed", aliases=(h,)),),
            datasets=(dataset(h), dataset("ImageNet")),
            code_urls=(code(f"https://github.com/{h}/r{i}", "other", h, h),)))
    return out


def synthetic(n_papers: int, seed: int = 7) -> list[Extraction]:
    """A corpus shaped like the real one: ~2 methods, ~3 datasets, 0-1 code URL per paper."""
    rnd = random.Random(seed)
    n_ds, n_me, n_own = max(10, n_papers // 20), max(20, n_papers // 10), max(5, n_papers // 50)
    out = []
    for i in range(n_papers):
        ms = (method(f"Method{rnd.randrange(n_me)}", "proposed"), method(f"Baseline{rnd.randrange(n_me)}"))
        ds = tuple(dataset(f"Data{d}", "used", n=2) for d in sorted(rnd.sample(range(n_ds), 3)))
        cs = ()
        if rnd.random() < 0.6:
            owner = f"owner{rnd.randrange(n_own)}"
            cs = (code(f"https://github.com/{owner}/repo{i}", "github", owner, f"repo{i}"),)
        out.append(Extraction(paper(f"arxiv:{2400 + i // 99999}.{i % 99999:05d}", f"Paper number {i}",
                                    authors=("A. Author", f"B{i}"), date="2024-03-11"),
                              ms, ds, cs))
    return out


def graph_of(extractions: list[Extraction]):
    return build_graph(extractions)
