// The four PoCo v5 order types (IexecLibOrders_v5) as ethers typed-data type maps.
export const ORDER_TYPES = {
	app: {
		AppOrder: [
			{ name: "app", type: "address" },
			{ name: "appprice", type: "uint256" },
			{ name: "volume", type: "uint256" },
			{ name: "tag", type: "bytes32" },
			{ name: "datasetrestrict", type: "address" },
			{ name: "workerpoolrestrict", type: "address" },
			{ name: "requesterrestrict", type: "address" },
			{ name: "salt", type: "bytes32" },
		],
	},
	dataset: {
		DatasetOrder: [
			{ name: "dataset", type: "address" },
			{ name: "datasetprice", type: "uint256" },
			{ name: "volume", type: "uint256" },
			{ name: "tag", type: "bytes32" },
			{ name: "apprestrict", type: "address" },
			{ name: "workerpoolrestrict", type: "address" },
			{ name: "requesterrestrict", type: "address" },
			{ name: "salt", type: "bytes32" },
		],
	},
	workerpool: {
		WorkerpoolOrder: [
			{ name: "workerpool", type: "address" },
			{ name: "workerpoolprice", type: "uint256" },
			{ name: "volume", type: "uint256" },
			{ name: "tag", type: "bytes32" },
			{ name: "category", type: "uint256" },
			{ name: "trust", type: "uint256" },
			{ name: "apprestrict", type: "address" },
			{ name: "datasetrestrict", type: "address" },
			{ name: "requesterrestrict", type: "address" },
			{ name: "salt", type: "bytes32" },
		],
	},
	request: {
		RequestOrder: [
			{ name: "app", type: "address" },
			{ name: "appmaxprice", type: "uint256" },
			{ name: "dataset", type: "address" },
			{ name: "datasetmaxprice", type: "uint256" },
			{ name: "workerpool", type: "address" },
			{ name: "workerpoolmaxprice", type: "uint256" },
			{ name: "requester", type: "address" },
			{ name: "volume", type: "uint256" },
			{ name: "tag", type: "bytes32" },
			{ name: "category", type: "uint256" },
			{ name: "trust", type: "uint256" },
			{ name: "beneficiary", type: "address" },
			{ name: "callback", type: "address" },
			{ name: "params", type: "string" },
			{ name: "salt", type: "bytes32" },
		],
	},
};

export function pocoDomain(chainId, hub) {
	return { name: "iExecODB", version: "5.0.0", chainId, verifyingContract: hub };
}

// The order without its signature, as the typed-data message.
export function orderMessage(order) {
	const { sign, ...rest } = order;
	return rest;
}
