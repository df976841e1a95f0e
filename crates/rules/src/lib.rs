//! Target groups, overlap/conflict rules and discovery of concurrent service combinations.
