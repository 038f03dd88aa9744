"""The ``kg`` RDF vocabulary: one DefinedNamespace for our own classes and properties."""

from __future__ import annotations

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

__all__ = ["KG", "KG_NS", "SCHEMA_NS", "VOCAB_TTL"]

KG_NS = "https://w3id.org/kg-ml/vocab#"
SCHEMA_NS = "https://schema.org/"
VOCAB_TTL = "vocab.ttl"  # package data next to this module: the vocabulary described in RDF


class KG(DefinedNamespace):
    """Terms of the kg-ml vocabulary; Dublin Core, schema.org, RDFS and SKOS cover the rest.

    Alignment (see ``vocab.ttl``): ``Paper`` is a ``schema:ScholarlyArticle``, ``Dataset`` a
    ``schema:Dataset``, ``CodeRepository`` a ``schema:SoftwareSourceCode``.
    """

    _fail = True

    # classes
    Paper: URIRef  # A machine-learning paper, known by its title and abstract.
    Method: URIRef  # A machine-learning method, model or algorithm named in a paper.
    Dataset: URIRef  # A dataset or benchmark named in a paper.
    CodeRepository: URIRef  # A place where a paper releases code, models, data or a project page.
    Mention: URIRef  # One place in a paper's title or abstract where an entity is named.

    # paper -> entity relations
    arxivId: URIRef  # The arXiv identifier of a paper, without version.
    authorList: URIRef  # The paper's authors in the order given, as an rdf:List of names.
    contentHash: URIRef  # A hash of everything that determined the paper's triples (kg skips unchanged papers).
    proposes: URIRef  # The paper proposes this method.
    mentions: URIRef  # The paper names this method without proposing it.
    introduces: URIRef  # The paper introduces this dataset.
    uses: URIRef  # The paper uses this dataset.
    hasCode: URIRef  # The paper releases code or artefacts at this repository.

    # identity of entities (docs/DESIGN.md, "Identity")
    nameKey: URIRef  # The normalised name of an entity; every sense of one name shares it.
    sense: URIRef  # What an entity node is: kb (known entity), defined (by a long form), owned (new, of one paper) or name.
    ambiguous: URIRef  # True on a name node: mentions of a name the text could not resolve to one sense.
    kbId: URIRef  # The stable knowledge-base id of a known entity.
    record: URIRef  # Which record of a paper the graph keeps: its date and a hash of its content.

    # code repositories
    host: URIRef  # The kind of host of a code repository: github, huggingface, gitlab, bitbucket, project-page, other.
    owner: URIRef  # The user or organisation owning a code repository.
    repo: URIRef  # The name of a code repository under its owner.

    # mention resources (provenance)
    paper: URIRef  # The paper a mention was found in.
    entity: URIRef  # The entity (method, dataset or code repository) a mention names.
    relation: URIRef  # The relation the mention supports, as the edge type literal (e.g. USES).
    field: URIRef  # The paper field the mention was found in: title or abstract.
    start: URIRef  # Start character offset of the mention in the original field text.
    end: URIRef  # End character offset (exclusive) of the mention in the original field text.
    sentence: URIRef  # The sentence the mention was found in.
    rule: URIRef  # The extraction rule that found the mention.
    sourceFile: URIRef  # The input file a paper or mention was read from.
    name: URIRef  # The name the paper gives the entity a mention names (its preferred name).
    alias: URIRef  # Another spelling or long form the paper gives the entity a mention names.

    _NS = Namespace(KG_NS)
