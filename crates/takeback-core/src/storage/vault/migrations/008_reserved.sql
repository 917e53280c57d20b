-- Reserved: version 8 belongs to monitoring (issue 11), developed in parallel. This no-op holds
-- its place so that 009 can be applied on this branch; the merge replaces it with monitoring's.
SELECT 1;
