// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {HeadsMap} from "../libraries/HeadsMap.sol";

/// @title HeadsMapHarness
/// @notice Exposes the HeadsMap library to tests, and answers what a head proof shows about a map, as AnchorRegistry
///         reads it.
// Test scaffolding: each function takes the library function's parameters, which the library documents.
// solhint-disable use-natspec
contract HeadsMapHarness {
    /// @notice Exposes HeadsMap.headLeaf.
    function headLeaf(bytes32 key, uint64 seq, uint64 leafIndex, bytes32 leafHash) external pure returns (bytes32) {
        return HeadsMap.headLeaf(key, seq, leafIndex, leafHash);
    }

    /// @notice Exposes HeadsMap.hashNode.
    function hashNode(bytes32 left, bytes32 right) external pure returns (bytes32) {
        return HeadsMap.hashNode(left, right);
    }

    /// @notice Exposes HeadsMap.rootOf.
    function rootOf(HeadsMap.HeadProof calldata proof) external pure returns (bool wellFormed, bytes32 root) {
        return HeadsMap.rootOf(proof);
    }

    /// @notice What `proof` shows about the map with root `headsRoot`: whether it holds, and if so the head of
    ///         proof.key (found) or that the key has none.
    function headOf(HeadsMap.HeadProof calldata proof, bytes32 headsRoot)
        external
        pure
        returns (bool valid, bool found, HeadsMap.Head memory head)
    {
        (bool wellFormed, bytes32 root) = HeadsMap.rootOf(proof);
        valid = wellFormed && root == headsRoot;
        found = valid && proof.kind == HeadsMap.KIND_HEAD;
        if (found) head = HeadsMap.Head({seq: proof.seq, leafIndex: proof.leafIndex, leafHash: proof.leafHash});
    }
}
