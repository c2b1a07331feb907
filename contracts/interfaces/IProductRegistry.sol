// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title IProductRegistry
/// @notice Brand owners anchor the Merkle roots of their authentic serialised items (GTIN + serial) and of their
///         authorised sellers; anyone checks an item or a seller against them (DESIGN §4, §8).
///         Both trees are RFC 9162 trees: item leaf = SHA-256(0x00 || abi.encode(string gtin, string serial)),
///         seller leaf = SHA-256(0x00 || abi.encode(string sellerId)).
interface IProductRegistry {
    /// @notice A brand's owner and its latest catalog.
    /// @param owner The brand owner's account (holds BRAND_OWNER).
    /// @param name The brand name as written in events (`brand` fields).
    /// @param version Number of catalogs anchored so far (0 = none).
    /// @param itemsRoot RFC 9162 root of the authentic items.
    /// @param itemCount Number of leaves in the items tree.
    /// @param sellersRoot RFC 9162 root of the authorised sellers.
    /// @param sellerCount Number of leaves in the sellers tree.
    /// @param blockNumber Block of the latest catalog.
    struct Brand {
        address owner;
        string name;
        uint64 version;
        bytes32 itemsRoot;
        uint64 itemCount;
        bytes32 sellersRoot;
        uint64 sellerCount;
        uint64 blockNumber;
    }

    /// @notice The caller does not hold DEFAULT_ADMIN_ROLE in the ParticipantRegistry.
    error ProductRegistryNotAdmin(address caller);
    /// @notice The account does not hold BRAND_OWNER in the ParticipantRegistry.
    error ProductRegistryNotBrandOwnerRole(address account);
    /// @notice The brand name is empty or longer than 128 bytes.
    error ProductRegistryInvalidBrandName(string name);
    /// @notice The brand is already registered to an owner.
    error ProductRegistryBrandAlreadyRegistered(bytes32 brandId, address owner);
    /// @notice No brand with this id is registered.
    error ProductRegistryUnknownBrand(bytes32 brandId);
    /// @notice The caller is not the brand's owner.
    error ProductRegistryNotBrandOwner(bytes32 brandId, address caller);
    /// @notice A non-empty tree has a zero root, or an empty tree a non-zero root.
    error ProductRegistryInvalidRoot(bytes32 brandId, bytes32 root, uint64 count);

    /// @notice A brand was registered to its owner.
    event BrandRegistered(bytes32 indexed brandId, address indexed owner, string name);
    /// @notice A brand was handed to a new owner (for example after its owner was revoked).
    event BrandOwnerChanged(bytes32 indexed brandId, address indexed previousOwner, address indexed owner);
    /// @notice A brand's catalog of authentic items and authorised sellers was anchored.
    event CatalogAnchored(
        bytes32 indexed brandId,
        uint64 version,
        bytes32 itemsRoot,
        uint64 itemCount,
        bytes32 sellersRoot,
        uint64 sellerCount
    );

    /// @notice Registers a brand to an owner. Admin only; the owner must hold BRAND_OWNER.
    /// @param name The brand name; its id is keccak256(utf8(name)).
    /// @param owner The brand owner's account.
    /// @return brandId keccak256(utf8(name)).
    function registerBrand(string calldata name, address owner) external returns (bytes32 brandId);

    /// @notice Hands a brand to a new owner. Admin only; the new owner must hold BRAND_OWNER. The catalog stays
    ///         until the new owner anchors another.
    /// @param brandId The brand.
    /// @param owner The new owner.
    function setBrandOwner(bytes32 brandId, address owner) external;

    /// @notice Anchors a new catalog for a brand. Brand owner only, still holding BRAND_OWNER.
    /// @param brandId The brand.
    /// @param itemsRoot RFC 9162 root of the authentic items (zero when itemCount is 0).
    /// @param itemCount Number of items.
    /// @param sellersRoot RFC 9162 root of the authorised sellers (zero when sellerCount is 0).
    /// @param sellerCount Number of sellers.
    function anchorCatalog(bytes32 brandId, bytes32 itemsRoot, uint64 itemCount, bytes32 sellersRoot, uint64 sellerCount)
        external;

    /// @notice A brand and its latest catalog.
    /// @param brandId The brand.
    /// @return The brand (owner zero if unknown).
    function brandOf(bytes32 brandId) external view returns (Brand memory);

    /// @notice Whether (gtin, serial) is leaf `leafIndex` of the brand's latest items tree.
    /// @param brandId The brand.
    /// @param gtin The item's GTIN.
    /// @param serial The item's serial number.
    /// @param leafIndex The item's leaf index in the items tree.
    /// @param proof RFC 9162 inclusion proof.
    /// @return True if the proof checks against the anchored root.
    function isAuthenticItem(bytes32 brandId, string calldata gtin, string calldata serial, uint64 leafIndex, bytes32[] calldata proof)
        external
        view
        returns (bool);

    /// @notice Whether `sellerId` is leaf `leafIndex` of the brand's latest sellers tree.
    /// @param brandId The brand.
    /// @param sellerId The seller's id as written in ORDER events.
    /// @param leafIndex The seller's leaf index in the sellers tree.
    /// @param proof RFC 9162 inclusion proof.
    /// @return True if the proof checks against the anchored root.
    function isAuthorisedSeller(bytes32 brandId, string calldata sellerId, uint64 leafIndex, bytes32[] calldata proof)
        external
        view
        returns (bool);

    /// @notice The leaf hash of an item: SHA-256(0x00 || abi.encode(gtin, serial)).
    /// @param gtin The item's GTIN.
    /// @param serial The item's serial number.
    /// @return The leaf hash.
    function itemLeafHash(string calldata gtin, string calldata serial) external pure returns (bytes32);

    /// @notice The leaf hash of a seller: SHA-256(0x00 || abi.encode(sellerId)).
    /// @param sellerId The seller's id.
    /// @return The leaf hash.
    function sellerLeafHash(string calldata sellerId) external pure returns (bytes32);
}
