"""The matching engine (精准匹配) as a library: no Django import anywhere below this package.

Data flows one way: records (``records``) → an index (``engine.Index``: hard-constraint arrays, a BM25 index
over jieba tokens, embeddings of unique texts) → per demand, the constraint filter, two retrievers fused by
reciprocal rank, a transparent weighted score with its explanation (``score``) → rankings, a provider's feed,
or a capacity-aware batch assignment (``assign``). The platform feeds it records and exposes the results;
``evaluate`` measures it on any labelled set in the format of docs/matching.md.
"""
