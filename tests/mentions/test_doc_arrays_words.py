"""Lower-case forms are remembered across documents by string-store key: every
document, whatever its vocabulary, must read its own tokens' forms."""

import spacy

from extractor.mentions.doc_arrays import DocArrays


def test_lowers_are_each_documents_own_across_vocabularies():
    texts = ["Sodium THIOSULFATE 25 g IV thrice weekly.", "Topical STS; calciphylaxis Resolved ˈnew wörds"]
    for text in texts * 2:
        doc = spacy.blank("en")(text)  # a fresh vocabulary per document
        assert DocArrays(doc).lowers(0, len(doc)) == [token.lower_ for token in doc]
