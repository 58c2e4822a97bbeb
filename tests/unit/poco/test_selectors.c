/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Selectors and event topics of the native contracts equal those of the PoCo ABI
 * (reference/poco.md §7, computed there from the @iexec/poco 6.1.0 package ABI), and every
 * function listed there is dispatched.
 */
#include "harness.h"

#define AO AO_T
#define WO WO_T
#define RO RO_T

struct sel_case {
	const char *hex;
	const char *sig;
	char where; /* h hub, r registry, a asset, - not implemented (checked for value only) */
};

static const struct sel_case cases[] = {
	{ "156194d4", "matchOrders(" AO "," AO "," WO "," RO ")", 'h' },
	{ "2f391533", "sponsorMatchOrders(" AO "," AO "," WO "," RO ")", 'h' },
	{ "66517ca6", "computeDealVolume(" AO "," AO "," WO "," RO ")", 'h' },
	{ "80f03425", "assertDatasetDealCompatibility(" AO ",bytes32)", 'h' },
	{ "b2b07e66", "manageAppOrder((" AO ",uint8,bytes))", 'h' },
	{ "4b747106", "manageDatasetOrder((" AO ",uint8,bytes))", 'h' },
	{ "7e34a077", "manageWorkerpoolOrder((" WO ",uint8,bytes))", 'h' },
	{ "8dd971d5", "manageRequestOrder((" RO ",uint8,bytes))", 'h' },
	{ "01751998", "verifySignature(address,bytes32,bytes)", 'h' },
	{ "c87b582a", "verifyPresignature(address,bytes32)", 'h' },
	{ "bf36994e", "verifyPresignatureOrSignature(address,bytes32,bytes)", 'h' },
	{ "5b36c66b", "initialize(bytes32,uint256)", 'h' },
	{ "b504681d", "initializeArray(bytes32[],uint256[])", 'h' },
	{ "34623484", "contribute(bytes32,bytes32,bytes32,address,bytes,bytes)", 'h' },
	{ "5facd761", "contributeAndFinalize(bytes32,bytes32,bytes,bytes,address,bytes,bytes)",
	  'h' },
	{ "fc334e8c", "reveal(bytes32,bytes32)", 'h' },
	{ "f6c68e10", "reopen(bytes32)", 'h' },
	{ "8fc375e5", "finalize(bytes32,bytes,bytes)", 'h' },
	{ "bd66528a", "claim(bytes32)", 'h' },
	{ "fa055d7e", "claimArray(bytes32[])", 'h' },
	{ "f722cb32", "initializeAndClaimArray(bytes32[],uint256[])", 'h' },
	{ "c52e9de1", "broadcastAppOrder(" AO ")", 'h' },
	{ "4c4692de", "broadcastDatasetOrder(" AO ")", 'h' },
	{ "947f5178", "broadcastWorkerpoolOrder(" WO ")", 'h' },
	{ "4693d172", "broadcastRequestOrder(" RO ")", 'h' },
	{ "b74861b2", "viewDeal(bytes32)", 'h' },
	{ "adccf0d5", "viewTask(bytes32)", 'h' },
	{ "e741363b", "viewContribution(bytes32,address)", 'h' },
	{ "db230b52", "viewScore(address)", 'h' },
	{ "d09cc57e", "resultFor(bytes32)", 'h' },
	{ "4b2bec8c", "viewConsumed(bytes32)", 'h' },
	{ "d286eb16", "viewPresigned(bytes32)", 'h' },
	{ "4f5f44ec", "viewCategory(uint256)", 'h' },
	{ "c140996f", "countCategory()", 'h' },
	{ "6b55f4a5", "viewAccount(address)", 'h' },
	{ "70a08231", "balanceOf(address)", 'h' },
	{ "1bf6e00d", "frozenOf(address)", 'h' },
	{ "dd62ed3e", "allowance(address,address)", 'h' },
	{ "18160ddd", "totalSupply()", 'h' },
	{ "06fdde03", "name()", 'h' },
	{ "95d89b41", "symbol()", 'h' },
	{ "313ce567", "decimals()", 'h' },
	{ "fc0c546a", "token()", 'h' },
	{ "e1523fb4", "viewApp(address)", 'h' },
	{ "1e143ef7", "viewDataset(address)", 'h' },
	{ "bd8ab058", "viewWorkerpool(address)", 'h' },
	{ "45b637a9", "appregistry()", 'h' },
	{ "b1b11d2c", "datasetregistry()", 'h' },
	{ "90a0f546", "workerpoolregistry()", 'h' },
	{ "5975b8fc", "teebroker()", 'h' },
	{ "e63ec07d", "callbackgas()", 'h' },
	{ "c2fb26a6", "domain()", 'h' },
	{ "9910fd72", "eip712domain_separator()", 'h' },
	{ "74ed5244", "contribution_deadline_ratio()", 'h' },
	{ "2b8857c1", "reveal_deadline_ratio()", 'h' },
	{ "db8aaa26", "final_deadline_ratio()", 'h' },
	{ "6112f6fd", "workerpool_stake_ratio()", 'h' },
	{ "dcb03241", "kitty_ratio()", 'h' },
	{ "77a99692", "kitty_min()", 'h' },
	{ "a47e7f80", "kitty_address()", 'h' },
	{ "25eacba8", "groupmember_purpose()", 'h' },
	{ "bd19a4f3", "viewDealABILegacy_pt1(bytes32)", 'h' },
	{ "ce5f7895", "viewDealABILegacy_pt2(bytes32)", 'h' },
	{ "d5922f50", "viewConfigABILegacy(bytes32)", 'h' },
	{ "248ad6a0", "viewTaskABILegacy(bytes32)", 'h' },
	{ "11e35aba", "viewContributionABILegacy(bytes32,address)", 'h' },
	{ "f9353b8d", "viewCategoryABILegacy(uint256)", 'h' },
	{ "5b3ae3e4", "viewAccountABILegacy(address)", 'h' },
	{ "8da5cb5b", "owner()", 'h' },
	{ "b6b55f25", "deposit(uint256)", '-' },
	{ "36efd16f", "depositFor(uint256,address)", '-' },
	{ "d0e30db0", "deposit()", 'h' },
	{ "aa67c919", "depositFor(address)", 'h' },
	{ "3354f8a5", "depositForArray(uint256[],address[])", 'h' },
	{ "2e1a7d4d", "withdraw(uint256)", 'h' },
	{ "c86283c8", "withdrawTo(uint256,address)", 'h' },
	{ "ce746024", "recover()", 'h' },
	{ "8f4ffcb1", "receiveApproval(address,uint256,address,bytes)", '-' },
	{ "a9059cbb", "transfer(address,uint256)", 'h' },
	{ "23b872dd", "transferFrom(address,address,uint256)", 'h' },
	{ "095ea7b3", "approve(address,uint256)", 'h' },
	{ "39509351", "increaseAllowance(address,uint256)", 'h' },
	{ "a457c2d7", "decreaseAllowance(address,uint256)", 'h' },
	{ "cae9ca51", "approveAndCall(address,uint256,bytes)", 'h' },
	{ "b5521817", "configure(address,string,string,uint8,address,address,address,address)",
	  'h' },
	{ "298503d9", "createCategory(string,string,uint256)", 'h' },
	{ "aefb52b4", "setTeeBroker(address)", 'h' },
	{ "01d09a3c", "setCallbackGas(uint256)", 'h' },
	{ "89ccfe89", "updateDomainSeparator()", 'h' },
	{ "a9b20cee", "importScore(address)", 'h' },
	{ "0e7c4033", "changeRegistries(address,address,address)", 'h' },
	{ "f2fde38b", "transferOwnership(address)", 'h' },
	{ "715018a6", "renounceOwnership()", '-' },
	{ "1f931c1c", "diamondCut((address,uint8,bytes4[])[],address,bytes)", '-' },
	{ "7a0ed627", "facets()", '-' },
	{ "cdffacc6", "facetAddress(bytes4)", '-' },
	{ "52ef6b2c", "facetAddresses()", '-' },
	{ "adfca15e", "facetFunctionSelectors(address)", '-' },
	{ "01ffc9a7", "supportsInterface(bytes4)", 'r' },
	{ "f199413c", "changePolicy(uint256,uint256)", 'a' },
	{ "b55e75af", "m_workerStakeRatioPolicy()", 'a' },
	{ "87639c68", "m_schedulerRewardRatioPolicy()", 'a' },
	{ "584feb3a", "m_workerpoolDescription()", 'a' },
	{ "358982a3", "m_appName()", 'a' },
	{ "f8c2ceb3", "m_appType()", 'a' },
	{ "39e75d45", "m_appMultiaddr()", 'a' },
	{ "84aaf12e", "m_appChecksum()", 'a' },
	{ "e30d26a8", "m_appMREnclave()", 'a' },
	{ "0847c431", "m_datasetName()", 'a' },
	{ "a61ca6c5", "m_datasetMultiaddr()", 'a' },
	{ "1ba99d7e", "m_datasetChecksum()", 'a' },
	{ "8da5cb5b", "owner()", 'a' },
	{ "7b103999", "registry()", 'a' },
	{ "c3c5a547", "isRegistered(address)", 'r' },
	{ "6352211e", "ownerOf(uint256)", 'r' },
	{ "eee39111", "proxyCodeHash()", 'r' },
	{ "ee97f7f3", "master()", 'r' },
	{ "c4d66de8", "initialize(address)", 'r' },
	{ "42842e0e", "safeTransferFrom(address,address,uint256)", 'r' },
	{ "23b872dd", "transferFrom(address,address,uint256)", 'r' },
	{ "3f7868ff", "createApp(address,string,string,bytes,bytes32,bytes)", 'r' },
	{ "3354bcdb", "createDataset(address,string,bytes,bytes32)", 'r' },
	{ "e40238f4", "createWorkerpool(address,string)", 'r' },
	{ "e92118ed", "predictApp(address,string,string,bytes,bytes32,bytes)", 'r' },
	{ "fe17fc7a", "predictDataset(address,string,bytes,bytes32)", 'r' },
	{ "064a6c2a", "predictWorkerpool(address,string)", 'r' },
};

static bool in_table(const struct poco_fn *fns, size_t n, const char *sig)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(fns[i].sig, sig) == 0)
			return true;
	return false;
}

static void test_selectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < DECC_ARRAY_SIZE(cases); i++) {
		uint8_t sel[4], want[4];
		bool found;

		decc_abi_selector(sel, cases[i].sig);
		test_unhex(want, 4, cases[i].hex);
		if (memcmp(sel, want, 4) != 0)
			fail_msg("selector of %s is not 0x%s", cases[i].sig, cases[i].hex);
		switch (cases[i].where) {
		case 'h':
			found = in_table(poco_order_fns, poco_n_order_fns, cases[i].sig) ||
				in_table(poco_match_fns, poco_n_match_fns, cases[i].sig) ||
				in_table(poco_task_fns, poco_n_task_fns, cases[i].sig) ||
				in_table(poco_escrow_fns, poco_n_escrow_fns, cases[i].sig) ||
				in_table(poco_view_fns, poco_n_view_fns, cases[i].sig);
			break;
		case 'r':
			found = in_table(poco_registry_fns, poco_n_registry_fns, cases[i].sig);
			break;
		case 'a':
			found = in_table(poco_asset_fns, poco_n_asset_fns, cases[i].sig);
			break;
		default:
			found = true;
			break;
		}
		if (!found)
			fail_msg("%s is not dispatched", cases[i].sig);
	}
}

static const struct {
	const char *hex;
	const char *sig;
} topics[] = {
	{ "692ad61076dceddd0f1a861f737553dd61fc8501cf4190d29c4e90af6607f765",
	  "SchedulerNotice(address,bytes32)" },
	{ "d811b592ed0899225773e8933d8df64bd0b62761a9d7aad4ed5b22735f4610a4",
	  "OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,uint256)" },
	{ "81eec3d5401bb1693dbef61f0800bc16602905d6677d691c1262d6f08456e9a0",
	  "DealSponsored(bytes32,address)" },
	{ "252992fb0468d68d6a5784ec03214f0d0a362083f2d7ebd157af43b017a22e06",
	  "TaskInitialize(bytes32,address)" },
	{ "3fdb8d7797562d49a81078dbf7fa1771958ea452f8b13d1148383bd9506aecfb",
	  "TaskContribute(bytes32,address,bytes32)" },
	{ "f6d49bf3e05d33a4bc497d3c793fb5756388bb96b947cf51bb60aaecb0e022e3",
	  "TaskConsensus(bytes32,bytes32)" },
	{ "4b1763d473ac8fa80b4432ba90047e1b92444d8fabc55e6a002d9b1a316d7959",
	  "TaskReveal(bytes32,address,bytes32)" },
	{ "3afe0f24796ce653c6ab1f3e7aba5ce564eece5e82aee724aff28253e829f07b",
	  "TaskReopen(bytes32)" },
	{ "78ce8a8bc0fcb704e8ba3b3dbb36aa88002df8038128b4af2f27ef65db665044",
	  "TaskFinalize(bytes32,bytes)" },
	{ "cbc308b5f91040d2659a5201858344b0b583cd2f9e18e8470c2fa052c5b21ff8",
	  "TaskClaimed(bytes32)" },
	{ "9703f4589802246c80b822e63697180da799e363cd1b6fd9465a5e5574d53492",
	  "AccurateContribution(address,bytes32)" },
	{ "f868788948d55240774fdbad06555105ef20bbc70d1b7eccda982b65e11e79bb",
	  "FaultyContribution(address,bytes32)" },
	{ "625fed9875dada8643f2418b838ae0bc78d9a148a18eee4ee1979ff0f3f5d427",
	  "Lock(address,uint256)" },
	{ "6381d9813cabeb57471b5a7e05078e64845ccdb563146a6911d536f24ce960f1",
	  "Unlock(address,uint256)" },
	{ "c2aca55aa696938c7e95842e8939ca0fbb2120a3eeb8948cdcee2b70da566672",
	  "Reward(address,uint256,bytes32)" },
	{ "1bccc549c38561cd5b57f0db11ceb8dde1b0b6ee05ab5e155b51c7c5ba64becb",
	  "Seize(address,uint256,bytes32)" },
	{ "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef",
	  "Transfer(address,address,uint256)" },
	{ "8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925",
	  "Approval(address,address,uint256)" },
	{ "50933cf5a9c44d5ed66b895deb27212aa33d811b46a7b41093e047e213c0bcab",
	  "SignedAppOrder(bytes32)" },
	{ "79ce85909be2c590a728d1634ce6ec8a7cbf815260bacc05387890a313da8130",
	  "SignedDatasetOrder(bytes32)" },
	{ "3a61aabf2ab04790d082ff1e332853b2f66944c2e951a146121f80272812a476",
	  "SignedWorkerpoolOrder(bytes32)" },
	{ "3b0ac04165536d6b11d04220f998c840bd6e439d59c5d8721bba8a4e1fb9ebfd",
	  "SignedRequestOrder(bytes32)" },
	{ "7343f75be43aba524f85326508cd975d016ef7884676377366c69a7c32e30668",
	  "ClosedAppOrder(bytes32)" },
	{ "cf52e3228bc482a6656d8ab56c09888b1c5bf6aaadba0185e96a34836f2bb1d4",
	  "ClosedDatasetOrder(bytes32)" },
	{ "145ad51e4496173bca15e24e7eb46f9ab3a10eea0497e2801a3a6806c06113a3",
	  "ClosedWorkerpoolOrder(bytes32)" },
	{ "582f43f2a741cbe708aae3b8d38a4efc3d09d7e81919697b3ca693f4c444cc05",
	  "ClosedRequestOrder(bytes32)" },
	{ "62bf08360c9d561749c54eaf4f8bf8cb6c8b6f4f40607bcec39a8172e714d25c",
	  "CreateCategory(uint256,string,string,uint256)" },
	{ "6fd493f856b22df174df46975d6dcf0895c7dfb3c63d20179c0dcd5563e2f565",
	  "BroadcastAppOrder(" AO ")" },
	{ "c56d982ad2fd39ebadca073cc88d9bdaee0f4c8e7b2b6be50227169daefc7b3f",
	  "BroadcastDatasetOrder(" AO ")" },
	{ "af81a046e31ebb2be305579e585ac6b2ee3fdc2dc9dba806bb826879bb2c7851",
	  "BroadcastWorkerpoolOrder(" WO ")" },
	{ "54bee205d9b03332d6dc82bc907476dfef6ed4fd86058d49a72994baee781175",
	  "BroadcastRequestOrder(" RO ")" },
	{ "8be0079c531659141344cd1fd0a4f28419497f9722a3daafe3b4186f6b6457e0",
	  "OwnershipTransferred(address,address)" },
	{ "61f37ef3a6d587ce2d6be79492e1fac570f2745787015db7ed95ad4397b05c1e",
	  "PolicyUpdate(uint256,uint256,uint256,uint256)" },
};

static void test_topics(void **state)
{
	(void)state;
	for (size_t i = 0; i < DECC_ARRAY_SIZE(topics); i++) {
		uint8_t t[32], want[32];

		poco_topic(t, topics[i].sig);
		test_unhex(want, 32, topics[i].hex);
		if (memcmp(t, want, 32) != 0)
			fail_msg("topic of %s is not 0x%s", topics[i].sig, topics[i].hex);
	}
}

/* negative: a wrong signature text gives a different selector (the check above can fail) */
static void test_selector_negative(void **state)
{
	uint8_t a[4], b[4];

	(void)state;
	decc_abi_selector(a, "matchOrders(" AO "," AO "," WO "," RO ")");
	decc_abi_selector(b, "matchOrders(" AO "," AO "," AO "," RO ")");
	assert_memory_not_equal(a, b, 4);
}

static void test_kitty_address(void **state)
{
	uint8_t h[32];

	(void)state;
	/* top 160 bits of keccak256("iExecKitty") minus 1 */
	decc_keccak256(h, "iExecKitty", 10);
	for (int i = 19; i >= 0; i--) {
		if (h[i]-- != 0)
			break;
	}
	assert_memory_equal(h, decc_poco_kitty_address.b, 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_selectors),
		cmocka_unit_test(test_topics),
		cmocka_unit_test(test_selector_negative),
		cmocka_unit_test(test_kitty_address),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
