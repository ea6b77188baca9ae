"""YClients CRM: typed models of its API, its error vocabulary and the ports features use."""
